package org.vit4j.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.vit4j.io.AtomicFiles;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.VitModel;

/**
 * The output directory of a training run and its files:
 *
 * <pre>
 *   OUT/config.json, labels.txt, model.safetensors, checksums.sha256   the best model (by validation accuracy)
 *   OUT/train.json       the {@link RunRecord}: the {@link TrainOptions}, the data, provenance, extensions
 *   OUT/metrics.jsonl    one {@link EpochMetrics} per epoch
 *   OUT/checkpoints/epoch-NNNN/   the last epoch: model files, optimizer.safetensors, state.json
 *   OUT/checkpoints/last          the name of the last complete checkpoint directory
 * </pre>
 *
 * A checkpoint directory is written under a temporary name and renamed when complete, and the
 * {@code last} pointer is replaced atomically afterwards, so a kill at any moment leaves the
 * previous checkpoint loadable. Every JSON file is written by Gson, so none holds a bare
 * {@code NaN}.
 */
public final class RunDirectory {

    /** The run record. */
    public static final String TRAIN_JSON = "train.json";
    /** One line per epoch. */
    public static final String METRICS = "metrics.jsonl";
    /** The checkpoint folder. */
    public static final String CHECKPOINTS = "checkpoints";

    private static final Gson LINE = new GsonBuilder().disableHtmlEscaping().create();

    /**
     * What a checkpoint's {@code state.json} says.
     *
     * @param epochsDone epochs completed
     * @param steps optimizer steps taken
     * @param bestValAccuracy best validation accuracy so far, or -1 if none
     */
    public record State(int epochsDone, long steps, double bestValAccuracy) {}

    private final Path root;

    private RunDirectory(Path root) {
        this.root = root;
    }

    /**
     * A run directory (which need not exist yet).
     *
     * @param root the directory
     * @return the run directory
     */
    public static RunDirectory of(Path root) {
        return new RunDirectory(root);
    }

    /** @return the directory */
    public Path path() {
        return root;
    }

    /**
     * Refuses a directory that already holds something, so a new run never replaces an old one
     * by accident.
     *
     * @throws IllegalArgumentException naming the directory and what it holds
     * @throws IOException if it cannot be listed
     */
    public void requireEmpty() throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException(root + " exists and is not a directory");
        }
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(root)) {
            s.map(p -> p.getFileName().toString()).sorted().forEach(names::add);
        }
        if (!names.isEmpty()) {
            String shown = String.join(", ", names.subList(0, Math.min(4, names.size())))
                    + (names.size() > 4 ? ", ..." : "");
            throw new IllegalArgumentException(root + " is not empty (" + shown + ")"
                    + (Files.exists(root.resolve(TRAIN_JSON)) ? "; it holds a training run" : ""));
        }
    }

    /**
     * Deletes the files a run writes (not other files), before a new run overwrites the directory.
     *
     * @throws IOException if deleting fails
     */
    public void clearRun() throws IOException {
        deleteTree(root.resolve(CHECKPOINTS));
        for (String f : new String[] {TRAIN_JSON, METRICS, ModelDirectory.CONFIG, ModelDirectory.LABELS,
                ModelDirectory.WEIGHTS, ModelDirectory.CHECKSUMS, ModelDirectory.SERVING, TrainingProvenance.FILE}) {
            Files.deleteIfExists(root.resolve(f));
        }
    }

    /**
     * Reads {@code train.json}.
     *
     * @return what it says
     * @throws IOException if it is missing or not a run record
     */
    public RunRecord readRecord() throws IOException {
        Path f = root.resolve(TRAIN_JSON);
        if (!Files.isRegularFile(f)) {
            throw new IOException(root + ": no " + TRAIN_JSON + " (not a training run directory)");
        }
        try {
            return RunRecord.fromJson(Files.readString(f));
        } catch (IllegalArgumentException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code train.json} atomically.
     *
     * @param record the run record
     * @throws IOException if writing fails
     */
    public void writeRecord(RunRecord record) throws IOException {
        Files.createDirectories(root);
        AtomicFiles.writeString(root.resolve(TRAIN_JSON), record.toJson() + "\n");
    }

    /**
     * Appends an epoch's line to {@code metrics.jsonl} (the file is replaced atomically).
     *
     * @param m the metrics
     * @throws IOException if writing fails
     */
    public void appendMetrics(EpochMetrics m) throws IOException {
        Path file = root.resolve(METRICS);
        String old = Files.exists(file) ? Files.readString(file) : "";
        AtomicFiles.writeString(file, old + m.toJson() + "\n");
    }

    /**
     * Keeps the lines of the first epochs only (a resumed run rewrites the rest).
     *
     * @param epochs epochs to keep
     * @throws IOException if the file cannot be rewritten
     */
    public void truncateMetrics(int epochs) throws IOException {
        Path file = root.resolve(METRICS);
        if (!Files.exists(file)) {
            return;
        }
        StringBuilder kept = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && JsonParser.parseString(line).getAsJsonObject().get("epoch").getAsInt() <= epochs) {
                kept.append(line).append('\n');
            }
        }
        AtomicFiles.writeString(file, kept.toString());
    }

    /**
     * Deletes {@code metrics.jsonl}.
     *
     * @throws IOException if deleting fails
     */
    public void deleteMetrics() throws IOException {
        Files.deleteIfExists(root.resolve(METRICS));
    }

    /**
     * The last complete checkpoint.
     *
     * @return its directory, or null if there is none
     * @throws IOException if the pointer cannot be read
     */
    public Path lastCheckpoint() throws IOException {
        Path pointer = root.resolve(CHECKPOINTS).resolve("last");
        if (!Files.isRegularFile(pointer)) {
            return null;
        }
        Path dir = root.resolve(CHECKPOINTS).resolve(Files.readString(pointer).strip());
        return Files.isDirectory(dir) ? dir : null;
    }

    /**
     * Reads a checkpoint's {@code state.json}.
     *
     * @param checkpoint the checkpoint directory
     * @return its state
     * @throws IOException if it is missing or malformed
     */
    public static State readState(Path checkpoint) throws IOException {
        Path f = checkpoint.resolve("state.json");
        try {
            State s = LINE.fromJson(Files.readString(f), State.class);
            if (s == null) {
                throw new IOException(f + ": empty");
            }
            return s;
        } catch (RuntimeException e) {
            throw new IOException(f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes a checkpoint of the model and optimizer, then points {@code last} at it and deletes
     * older checkpoints.
     *
     * @param model the model
     * @param opt its optimizer
     * @param state what the run has done
     * @throws IOException if writing fails
     */
    public void saveCheckpoint(VitModel model, AdamW opt, State state) throws IOException {
        Path dir = root.resolve(CHECKPOINTS);
        Files.createDirectories(dir);
        String name = String.format(Locale.ROOT, "epoch-%04d", state.epochsDone());
        Path tmp = Files.createTempDirectory(dir, "." + name + ".");
        model.save(tmp);
        AtomicFiles.writeBytes(tmp.resolve("optimizer.safetensors"),
                opt.stateAsSafetensors(model.getModel().getNDManager()));
        AtomicFiles.writeString(tmp.resolve("state.json"), LINE.toJson(state) + "\n");
        Path target = dir.resolve(name);
        deleteTree(target);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFiles.writeString(dir.resolve("last"), name + "\n");
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String f = p.getFileName().toString();
                if (Files.isDirectory(p) && !f.equals(name) && (f.startsWith("epoch-") || f.startsWith(".epoch-"))) {
                    deleteTree(p);
                } else if (Files.isRegularFile(p) && AtomicFiles.isLeftoverOf(p, dir.resolve("last"))) {
                    // the pointer's temporary file, left behind when a run was killed while writing it
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            List<Path> all = new ArrayList<>();
            s.forEach(all::add);
            for (int i = all.size() - 1; i >= 0; i--) {
                Files.deleteIfExists(all.get(i));
            }
        }
    }
}
