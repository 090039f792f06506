package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * libtorch writes its warnings to file descriptor 2, past {@code System.err}, so only a separate
 * process shows them: loading a model and classifying with it must not print the
 * {@code LegacyTypeDispatch.h:74 AutoNonVariableTypeMode is deprecated} line
 * (it came from DJL's {@code torchSet}, which {@code NDArray.set} calls).
 */
class NativeWarningTest {

    @TempDir Path tmp;

    private String run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "org.vit4j.cli.Vit4j"));
        cmd.addAll(List.of(args));
        Path log = tmp.resolve("child-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        Process p = pb.start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void loadingAndClassifyingPrintNoNativeWarning() throws Exception {
        Path model = tmp.resolve("model");
        try (VitModel m = TestModels.create(Variant.MICRO.toBuilder().build(), 3)) {
            m.save(model);
        }
        Path npy = tmp.resolve("x.npy");
        org.vit4j.io.Npy.write(npy, new long[] {1, 1, 64, 64}, new float[64 * 64]);
        String out = run("predict", "--model", model.toString(), "--tensor", npy.toString());
        assertTrue(out.contains("x.npy[0]"), out);
        assertFalse(out.contains("AutoNonVariableTypeMode"), out);
        assertFalse(out.contains("[W"), out);
        assertFalse(Device.cpu().isGpu());
    }
}
