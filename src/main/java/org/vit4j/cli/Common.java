package org.vit4j.cli;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.vit4j.Offline;
import org.vit4j.infer.BundledModel;
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.AtomicFiles;
import org.vit4j.model.DeviceSetting;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Option;

/** Options shared by the commands that compute: device, threads, verbosity. */
final class Common {

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|gpu|auto",
            description = "Where to compute (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", paramLabel = "N",
            description = "Threads for the engine's operators (default: all cores).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress bars or logs on stderr.")
    boolean quiet;

    @Option(names = {"-v", "--verbose"}, description = "Stack traces with errors.")
    boolean verbose;

    /** Applies thread settings (before the engine starts) and resolves the device. */
    Device device() {
        Offline.ensure();
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        return DeviceSetting.fromName(device).toDevice();
    }

    /** Loads a model directory, or the bundled model when {@code dir} is null. */
    VitModel loadModel(Path dir, Device d) throws ModelLoadFailure {
        try {
            if (dir == null) {
                if (!BundledModel.isAvailable()) {
                    throw new ModelLoadFailure("no --model given and this build has no bundled model", null);
                }
                return VitModel.load(BundledModel.files(), d);
            }
            return VitModel.load(dir, d);
        } catch (ModelLoadFailure e) {
            throw e;
        } catch (Exception e) {
            throw new ModelLoadFailure("cannot load model: " + e.getMessage(), e);
        }
    }

    /** Writes a PNG atomically (temporary file, then rename). */
    static void writePng(Path out, BufferedImage image) throws IOException {
        AtomicFiles.write(out, os -> {
            if (!ImageIO.write(image, "png", os)) {
                throw new IOException("no PNG writer available");
            }
        });
    }

    VitClassifier classifier(Path dir, Device d) throws ModelLoadFailure {
        return new VitClassifier(loadModel(dir, d));
    }
}
