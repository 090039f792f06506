package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.annotations.SerializedName;
import java.util.ArrayList;
import java.util.List;

/**
 * What a run's {@code train.json} says, typed; this record is the one place that knows the file's
 * form. The {@link TrainOptions} sit at the top level under their own names (so the file reads as
 * the options), then the optional objects:
 *
 * <pre>
 *   "init":       {@link InitialWeights}, when the run started from a saved model
 *   "data":       {@link Data}, the training and validation images (older runs: absent)
 *   "provenance": {@link Provenance} (older runs: absent)
 *   "extended":   [{@link Extension}, ...], when a resumed run was given more epochs
 * </pre>
 *
 * @param options the options; after an extension, with the raised number of epochs
 * @param init the weights the run started from, or null for a random initialization
 * @param data the data the run saw, or null if not recorded
 * @param provenance where and with what the run was started, or null if not recorded
 * @param extended each time a resumed run was given more epochs, in order (unmodifiable)
 */
public record RunRecord(TrainOptions options, InitialWeights init, Data data, Provenance provenance,
        List<Extension> extended) {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

    /**
     * The saved model a run started from.
     *
     * @param dir the model directory, as given
     * @param weightsSha256 the SHA-256 of its weights file
     */
    public record InitialWeights(String dir, @SerializedName("weights_sha256") String weightsSha256) {}

    /**
     * The images a run trained and validated on.
     *
     * @param source the data as the user named it ({@code fashion-mnist}, a folder), so that a
     *     resumed run finds it again; or null
     * @param dataDir where the source's files are (the Fashion-MNIST IDX folder), or null
     * @param train a description of the training images
     * @param trainImages how many
     * @param trainSha256 their fingerprint ({@link ImageDataset#fingerprint()})
     * @param val a description of the validation images
     * @param valImages how many
     * @param valSha256 their fingerprint
     */
    public record Data(
            String source,
            @SerializedName("data_dir") String dataDir,
            String train,
            @SerializedName("train_images") int trainImages,
            @SerializedName("train_sha256") String trainSha256,
            String val,
            @SerializedName("val_images") int valImages,
            @SerializedName("val_sha256") String valSha256) {}

    /**
     * A resumed run given more epochs than it had: the cosine schedule is recomputed for the new
     * length from here on.
     *
     * @param afterEpoch the epochs done when it was extended
     * @param epochsBefore the run's epochs before
     * @param epochs its epochs after
     */
    public record Extension(
            @SerializedName("after_epoch") int afterEpoch,
            @SerializedName("epochs_before") int epochsBefore,
            int epochs) {}

    /**
     * Copies the list of extensions. The parameters are the components, documented on the record.
     *
     * @param options {@link #options()}
     * @param init {@link #init()}
     * @param data {@link #data()}
     * @param provenance {@link #provenance()}
     * @param extended {@link #extended()}; null for none
     */
    public RunRecord {
        extended = extended == null ? List.of() : List.copyOf(extended);
    }

    /**
     * This record after a resumed run was given {@code epochs} epochs.
     *
     * @param afterEpoch the epochs done
     * @param epochs the run's new number of epochs
     * @return the extended record
     */
    public RunRecord extend(int afterEpoch, int epochs) {
        List<Extension> more = new ArrayList<>(extended);
        more.add(new Extension(afterEpoch, options.epochs(), epochs));
        return new RunRecord(options.toBuilder().optEpochs(epochs).build(), init, data, provenance, more);
    }

    /** @return the content of {@code train.json}, pretty-printed, without the final newline */
    public String toJson() {
        JsonObject o = GSON.toJsonTree(options).getAsJsonObject();
        if (init != null) {
            o.add("init", GSON.toJsonTree(init));
        }
        if (data != null) {
            o.add("data", GSON.toJsonTree(data));
        }
        if (provenance != null) {
            o.add("provenance", GSON.toJsonTree(provenance));
        }
        if (!extended.isEmpty()) {
            o.add("extended", GSON.toJsonTree(extended));
        }
        return GSON.toJson(o);
    }

    /**
     * Reads the content of a {@code train.json}; fields a file predates read as absent, options
     * it predates with their defaults ({@link TrainOptions}).
     *
     * @param json the text
     * @return the record
     * @throws IllegalArgumentException if it is not a JSON object, or a field has the wrong form
     */
    public static RunRecord fromJson(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            JsonObject o = e.getAsJsonObject();
            List<Extension> extended = new ArrayList<>();
            if (o.has("extended")) {
                for (JsonElement x : o.getAsJsonArray("extended")) {
                    extended.add(GSON.fromJson(x, Extension.class));
                }
            }
            return new RunRecord(TrainOptions.fromJson(o.toString()), GSON.fromJson(o.get("init"), InitialWeights.class),
                    GSON.fromJson(o.get("data"), Data.class), GSON.fromJson(o.get("provenance"), Provenance.class),
                    extended);
        } catch (JsonParseException | IllegalStateException | ClassCastException e) {
            throw new IllegalArgumentException("not a run record: " + e.getMessage(), e);
        }
    }
}
