package org.vit4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ViTConfig;

/**
 * A run that can be continued, and the rules for continuing it: from its last checkpoint, with the
 * model of that checkpoint and the options of its {@code train.json}; only the number of epochs
 * may change, and only upwards. {@link VitTrainer#resume} applies these rules; a command line opens
 * one first to take the run's data, model and options as its defaults.
 *
 * @param run the run directory
 * @param checkpoint its last complete checkpoint
 * @param config the checkpoint's model
 * @param record what the run recorded
 * @param state what the run had done at the checkpoint
 */
public record ResumableRun(RunDirectory run, Path checkpoint, ViTConfig config, RunRecord record,
        RunDirectory.State state) {

    /**
     * Opens the run in a directory.
     *
     * @param dir the run directory
     * @return the run
     * @throws IllegalArgumentException naming the directory when it holds no checkpoint, and why:
     *     {@code (not a training run)} or {@code (checkpoints/last missing)}
     * @throws IOException if its files cannot be read
     */
    public static ResumableRun open(Path dir) throws IOException {
        RunDirectory run = RunDirectory.of(dir);
        Path ckpt = run.lastCheckpoint();
        if (ckpt == null) {
            throw new IllegalArgumentException(dir + ": no checkpoint to resume from"
                    + (Files.exists(dir.resolve(RunDirectory.TRAIN_JSON)) ? " (checkpoints/last missing)"
                            : " (not a training run)"));
        }
        return new ResumableRun(run, ckpt, ModelDirectory.readConfig(ckpt), run.readRecord(),
                RunDirectory.readState(ckpt));
    }

    /** @return the options the run was started with (and extended to) */
    public TrainOptions options() {
        return record.options();
    }

    /**
     * Refuses options other than the run's, but for a raised number of epochs.
     *
     * @param asked the options to continue with
     * @throws IllegalArgumentException naming the options that differ (as run vs as asked), or the
     *     lowered number of epochs
     */
    public void requireOptions(TrainOptions asked) {
        requireOptions(asked.toBuilder());
    }

    /**
     * The options to continue with: the run's changed by {@code asked}, which may raise the number
     * of epochs and change nothing else. Options that differ are named even when their combination
     * is one no run can have (another engine for a bf16 run).
     *
     * @param asked the run's options ({@link #options()}{@code .toBuilder()}) with the caller's changes
     * @return the checked options
     * @throws IllegalArgumentException naming the options that differ (as run vs as asked), or the
     *     lowered number of epochs
     */
    public TrainOptions requireOptions(TrainOptions.Builder asked) {
        TrainOptions saved = options();
        List<String> differ = saved.differences(asked).stream().filter(d -> !d.startsWith("epochs: ")).toList();
        if (!differ.isEmpty()) {
            throw new IllegalArgumentException(run.path() + ": the run was started with other options ("
                    + String.join("; ", differ) + ", as run vs as asked); resume with the run's own");
        }
        TrainOptions options = asked.build();
        if (options.epochs() < saved.epochs()) {
            throw new IllegalArgumentException(run.path() + ": the run has " + saved.epochs()
                    + " epochs; resuming can raise the number of epochs, not lower it (asked "
                    + options.epochs() + ")");
        }
        return options;
    }

    /**
     * Refuses another model than the checkpoint's: repeating the run's model is fine, changing it
     * is not.
     *
     * @param asked the model to continue
     * @throws IllegalArgumentException naming the run's model
     */
    public void requireModel(ViTConfig asked) {
        if (!asked.equals(config)) {
            throw new IllegalArgumentException("asks for another model than the run's (" + config + ")");
        }
    }

    /** @return the data as the run named it ({@code fashion-mnist}, a folder), or null if not recorded */
    public String dataSource() {
        return record.data() == null ? null : record.data().source();
    }

    /** @return where the run's data files were (the Fashion-MNIST IDX folder), or null */
    public Path dataDir() {
        return record.data() == null || record.data().dataDir() == null ? null : Path.of(record.data().dataDir());
    }
}
