package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vit4j.io.AtomicFiles;
import org.vit4j.model.ModelFiles;

/**
 * How a saved model was trained, as tribuo's {@code ModelProvenance} travels with its model: the
 * data, the epochs, the recipe, the CPU, the date and the vit4j version. {@link VitTrainer} writes
 * it as {@value #FILE} beside the weights each time it saves the best model, so a model directory
 * copied away from its run still says how it was made; {@code vit4j info} shows it.
 *
 * <p>Model directories written before this file existed still load: {@link #read} then derives
 * what it can from the run's {@code train.json} and {@code metrics.jsonl} when they sit beside the
 * weights (the bundled model's do), and gives null for a directory with neither.
 *
 * @param data the training data, with the images held out for validation and the number trained
 *     on; null when the run did not record it
 * @param epoch the epoch after which this model was saved (the best by validation accuracy); 0
 *     when not recorded
 * @param epochs the epochs the run was given
 * @param validationAccuracy the model's accuracy on the held-out images, or null without any
 * @param recipe how it was trained
 * @param cpu the CPU it was trained on ({@code CpuFeatures.describe}), or null if not recorded
 * @param device the training device as DJL names it, or null if not recorded
 * @param date when the model was saved (or, derived from {@code train.json}, when its run
 *     started), ISO-8601 in UTC; null if not recorded
 * @param vit4j the vit4j version that trained it, or null if not recorded
 */
public record TrainingProvenance(
        String data,
        int epoch,
        int epochs,
        @SerializedName("validation_accuracy") Double validationAccuracy,
        Recipe recipe,
        String cpu,
        String device,
        String date,
        String vit4j) {

    /** The file beside the weights. */
    public static final String FILE = "provenance.json";

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * The training recipe.
     *
     * @param optimizer the optimizer, {@code AdamW}
     * @param lr its peak learning rate
     * @param minLr the learning rate at the end of the cosine decay
     * @param warmupEpochs the epochs of linear warm-up before it
     * @param weightDecay the decoupled weight decay
     * @param batchSize images per step
     * @param labelSmoothing ε of the label smoothing
     * @param clipGrad the global gradient-norm clip, 0 for none
     * @param augmentation the augmentation, e.g. {@code crop >= 0.8, flip}, or {@code none}
     * @param engine what computed forward and backward ({@code compiled} or {@code eager})
     * @param precision the matrix products' number format ({@code fp32} or {@code bf16})
     * @param seed the seed
     * @param init the model directory the weights started from, or null for a random start
     */
    public record Recipe(
            String optimizer,
            double lr,
            @SerializedName("min_lr") double minLr,
            @SerializedName("warmup_epochs") double warmupEpochs,
            @SerializedName("weight_decay") double weightDecay,
            @SerializedName("batch_size") int batchSize,
            @SerializedName("label_smoothing") double labelSmoothing,
            @SerializedName("clip_grad") double clipGrad,
            String augmentation,
            String engine,
            String precision,
            long seed,
            String init) {

        /**
         * The recipe of a run's options.
         *
         * @param o the options
         * @param init the model directory the run started from, or null
         * @return the recipe
         */
        public static Recipe of(TrainOptions o, String init) {
            return new Recipe("AdamW", o.lr(), o.minLr(), o.warmupEpochs(), o.weightDecay(), o.batchSize(),
                    o.labelSmoothing(), o.clipGrad(), augmentation(o), o.engine().cliName(),
                    o.precision().cliName(), o.seed(), init);
        }

        /** @return one line: optimizer, schedule, batch, regularization, augmentation, engine */
        public String describe() {
            return String.format(Locale.ROOT,
                    "%s lr %s, %s epoch(s) warm-up then cosine to %s, weight decay %s, batch %d,"
                            + " label smoothing %s, clip %s; augmentation %s; %s %s, seed %d%s",
                    optimizer, num(lr), num(warmupEpochs), num(minLr), num(weightDecay), batchSize,
                    num(labelSmoothing), num(clipGrad), augmentation, engine, precision, seed,
                    init == null ? "" : "; from " + init);
        }

        private static String augmentation(TrainOptions o) {
            List<String> parts = new ArrayList<>();
            if (o.cropMinScale() > 0) {
                parts.add("crop >= " + num(o.cropMinScale()));
            }
            if (o.hflip()) {
                parts.add("flip");
            }
            if (o.scrambleProb() > 0) {
                parts.add("scramble " + num(o.scrambleProb())
                        + (o.scrambleGrid() == null ? "" : " " + o.scrambleGrid()));
            }
            if (o.randomErase() > 0) {
                parts.add("erase " + num(o.randomErase()));
            }
            return parts.isEmpty() ? "none" : String.join(", ", parts);
        }

        /** A number as written on a command line: {@code 0.001}, {@code 5e-06}, {@code 128}. */
        private static String num(double v) {
            return v == Math.rint(v) && Math.abs(v) < 1e6 ? Long.toString((long) v)
                    : String.format(Locale.ROOT, "%.4g", v).replaceAll("\\.?0+(e|$)", "$1");
        }
    }

    /**
     * The provenance of a model a run saves now.
     *
     * @param record the run's {@code train.json}
     * @param epoch the epoch just trained
     * @param validationAccuracy the model's validation accuracy, or null
     * @return the provenance, dated now
     */
    public static TrainingProvenance of(RunRecord record, int epoch, Double validationAccuracy) {
        Provenance p = record.provenance();
        return new TrainingProvenance(describe(record.data()), epoch, record.options().epochs(),
                validationAccuracy, Recipe.of(record.options(), record.init() == null ? null : record.init().dir()),
                p == null ? null : p.cpu(), p == null ? null : p.device(), Instant.now().toString(),
                p == null ? null : p.vit4j());
    }

    private static String describe(RunRecord.Data d) {
        if (d == null) {
            return null;
        }
        return d.train() + " (" + d.trainImages() + " trained on)";
    }

    /**
     * Writes {@value #FILE} into a model directory, atomically.
     *
     * @param dir the model directory
     * @throws IOException if writing fails
     */
    public void write(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), toJson() + "\n");
    }

    /** @return the content of {@value #FILE}, pretty-printed, without the final newline */
    public String toJson() {
        return GSON.toJson(this);
    }

    /**
     * Reads the content of a {@value #FILE}.
     *
     * @param json the text
     * @return the provenance
     * @throws IllegalArgumentException if it is not a JSON object of this form
     */
    public static TrainingProvenance fromJson(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return GSON.fromJson(e, TrainingProvenance.class);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("not a training provenance: " + e.getMessage(), e);
        }
    }

    /**
     * How the model in these files was trained: its {@value #FILE}; for a model saved before that
     * file existed, what its run's {@code train.json} (and {@code metrics.jsonl}, for the epoch)
     * record, undated when the run predates recorded provenance; null when neither file is there.
     *
     * @param files the model's files
     * @return the provenance, or null if the model carries none
     * @throws IOException if a file is there but cannot be read or parsed, naming it
     */
    public static TrainingProvenance read(ModelFiles files) throws IOException {
        try {
            if (files.exists(FILE)) {
                return fromJson(new String(files.read(FILE), StandardCharsets.UTF_8));
            }
            if (!files.exists(RunDirectory.TRAIN_JSON)) {
                return null;
            }
            RunRecord record = RunRecord.fromJson(
                    new String(files.read(RunDirectory.TRAIN_JSON), StandardCharsets.UTF_8));
            int epoch = 0;
            Double accuracy = null;
            if (files.exists(RunDirectory.METRICS)) {
                for (String line : new String(files.read(RunDirectory.METRICS), StandardCharsets.UTF_8).split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonObject m = JsonParser.parseString(line).getAsJsonObject();
                    if (m.has("best") && m.get("best").getAsBoolean()) {
                        epoch = m.get("epoch").getAsInt();
                        accuracy = m.has("val_accuracy") && !m.get("val_accuracy").isJsonNull()
                                ? m.get("val_accuracy").getAsDouble() : null;
                    }
                }
            }
            Provenance p = record.provenance();
            TrainingProvenance t = of(record, epoch, accuracy);
            return new TrainingProvenance(t.data(), epoch, t.epochs(), accuracy, t.recipe(), t.cpu(), t.device(),
                    p == null ? null : p.started(), t.vit4j());
        } catch (IllegalArgumentException | JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IOException(files.describe(files.exists(FILE) ? FILE : RunDirectory.TRAIN_JSON)
                    + ": " + e.getMessage(), e);
        }
    }
}
