package org.vit4j.cli;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import javax.imageio.ImageIO;
import org.vit4j.Offline;
import org.vit4j.infer.BundledModel;
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.OutputFile;
import org.vit4j.io.IoErrors;
import org.vit4j.model.DeviceSetting;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options shared by the commands that compute: device, threads, verbosity. */
final class Common {

    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}).")
    DeviceSetting device;

    @Option(names = "--threads", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Threads for the engine's operators (default: all cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars, notes or logs on stderr.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces with errors.")
    boolean verbose;

    /**
     * Applies thread settings (before the engine starts) and resolves the device. A device this
     * machine does not have is a usage error, as are {@link ForwardOptions} that contradict each
     * other; {@code cpu} does not even start the engine.
     */
    Device device() {
        Offline.ensure();
        for (CommandSpec mixin : mixee.mixins().values()) {
            if (mixin.userObject() instanceof ForwardOptions forward) {
                forward.check(mixee); // options that contradict each other, before any model is loaded
            }
        }
        if (threads != null) {
            int cores = Runtime.getRuntime().availableProcessors();
            if (threads > cores) {
                note("--threads " + threads + " is more than the " + cores
                        + " cores of this machine: the extra threads only compete for them and slow every operator down");
            }
            if (threads != cores) {
                // all cores is the engine's default: left to it, not set. Setting it explicitly (DJL
                // then calls libtorch's set_num_threads) made the fp32 training step about 1.6x
                // slower on a 2-core EPYC, in MKL's matrix products (BENCHMARKS.md, Threads)
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
                // inter-op threads run the parts of a sharded training step (CompiledTrainStep.shards)
                // beside the calling thread; nothing else here forks
                System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(Math.max(1, threads - 1)));
            }
        }
        try {
            return device.toDevice();
        } catch (IllegalStateException e) {
            throw Usage.error(mixee, e.getMessage());
        }
    }

    /** A note on stderr (not with --quiet): something the user asked for was adjusted. */
    void note(String message) {
        if (!quiet) {
            mixee.commandLine().getErr().println(Usage.qualifiedName(mixee.commandLine()) + ": note: " + message);
            mixee.commandLine().getErr().flush();
        }
    }

    /** Loads a model directory, or the bundled model when {@code dir} is null. */
    VitModel loadModel(Path dir, Device d) throws ModelLoadFailure {
        return loadModel(dir, d, UnaryOperator.identity());
    }

    /** {@link #loadModel(Path, Device)} with a change to the saved config ({@link VitModel#load(ModelFiles, Device, UnaryOperator)}). */
    VitModel loadModel(Path dir, Device d, UnaryOperator<ViTConfig> adjust) throws ModelLoadFailure {
        try {
            if (dir == null) {
                if (!BundledModel.isAvailable()) {
                    throw new ModelLoadFailure("no --model given and this build has no bundled model", null);
                }
                return VitModel.load(BundledModel.files(), d, adjust);
            }
            return VitModel.load(ModelFiles.of(dir), d, adjust);
        } catch (ModelLoadFailure e) {
            throw e;
        } catch (IOException e) {
            throw new ModelLoadFailure("cannot load model: " + IoErrors.describe(e), e);
        } catch (Exception e) {
            throw new ModelLoadFailure("cannot load model: " + e.getMessage(), e);
        }
    }

    /** Reads only a model's config (no weights, no engine), or the bundled model's when {@code dir} is null. */
    ViTConfig readConfig(Path dir) throws ModelLoadFailure {
        try {
            if (dir == null) {
                if (!BundledModel.isAvailable()) {
                    throw new ModelLoadFailure("no --model given and this build has no bundled model", null);
                }
                return ModelDirectory.readConfig(BundledModel.files());
            }
            return ModelDirectory.readConfig(dir);
        } catch (IOException e) {
            throw new ModelLoadFailure("cannot load model: " + IoErrors.describe(e), e);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadFailure("cannot load model: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a PNG (a regular file atomically: temporary file, then rename), encoded first, so
     * that a failed write reports the file's error rather than the encoder's.
     */
    static void writePng(OutputFile out, BufferedImage image) throws IOException {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("no PNG writer available");
        }
        out.writeBytes(png.toByteArray(), System.out);
    }
}
