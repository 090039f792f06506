package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.VitModel;

/**
 * Kills a real training process ({@code kill -9}) at random moments; each time the last
 * checkpoint must load, and {@code --resume} must finish the run.
 */
class KillResumeTest {

    /** Many short epochs, so that a kill at a random moment after a checkpoint lands mid-run. */
    private static final int EPOCHS = 40;

    @TempDir Path tmp;

    private Path makeData() throws Exception {
        Path data = tmp.resolve("data");
        Random r = new Random(5);
        for (String c : List.of("a", "b")) {
            Path d = Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 24; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int v = c.equals("a") ? (x < 16 ? 200 : 30) : (y < 16 ? 200 : 30);
                        img.getRaster().setSample(x, y, 0, Math.min(255, v + r.nextInt(40)));
                    }
                }
                ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
            }
        }
        return data;
    }

    private Process start(Path data, Path out, boolean resume) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Dai.djl.pytorch.num_threads=1",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "org.vit4j.cli.Vit4j", "train", "--quiet", "--data", data.toString(), "--config", "micro",
                "--epochs", String.valueOf(EPOCHS), "--batch-size", "8", "--val-size", "8", "--warmup", "1", "--out", out.toString()));
        if (resume) {
            cmd.add("--resume");
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child-" + System.nanoTime() + ".log").toFile());
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        return pb.start();
    }

    @Test
    void killedRunsResumeAndFinish() throws Exception {
        Path data = makeData();
        Path out = tmp.resolve("run");
        Random random = new Random(11);
        int kills = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            Process p = start(data, out, Files.exists(out.resolve("checkpoints").resolve("last")));
            // wait until a (new) checkpoint exists, then kill at a random moment
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            String before = lastName(out);
            while (p.isAlive() && System.nanoTime() < deadline && lastName(out).equals(before)) {
                Thread.sleep(50);
            }
            Thread.sleep(random.nextInt(150));
            if (p.isAlive()) {
                p.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup
                kills++;
            }
            p.waitFor(30, TimeUnit.SECONDS);
            Path last = RunDirectory.of(out).lastCheckpoint();
            assertNotNull(last, "a checkpoint survives the kill");
            try (VitModel m = VitModel.load(last, Device.cpu())) {
                assertEquals(2, m.getConfig().architecture().numClasses());
            }
        }
        assertTrue(kills > 0, "at least one run was killed mid-way");
        Process finish = start(data, out, true);
        assertTrue(finish.waitFor(5, TimeUnit.MINUTES), "resumed run finishes");
        assertEquals(0, finish.exitValue(), () -> logs());
        List<String> metrics = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(EPOCHS, metrics.size(), String.join("\n", metrics));
        for (int e = 0; e < EPOCHS; e++) {
            assertTrue(metrics.get(e).startsWith("{\"epoch\":" + (e + 1) + ","), metrics.get(e));
        }
        try (VitModel best = VitModel.load(out, Device.cpu())) {
            assertEquals(2, best.getLabels().size());
        }
        try (var s = Files.list(out.resolve("checkpoints"))) {
            assertEquals(List.of(String.format("epoch-%04d", EPOCHS), "last"),
                    s.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary directories left");
        }
    }

    private static String lastName(Path out) throws Exception {
        Path p = out.resolve("checkpoints").resolve("last");
        return Files.exists(p) ? Files.readString(p).strip() : "";
    }

    private String logs() {
        StringBuilder sb = new StringBuilder();
        for (File f : tmp.toFile().listFiles((d, n) -> n.startsWith("child-"))) {
            try {
                sb.append(Files.readString(f.toPath()));
            } catch (Exception e) {
                sb.append(e);
            }
        }
        return sb.toString();
    }
}
