package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.io.Npy;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import picocli.CommandLine;

/** Runs the command line in-process and checks exit codes, stdout and written files. */
class CliTest {

    @TempDir static Path tmp;
    static Path modelDir;
    static Path images;

    @BeforeAll
    static void setUp() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build(); // 64x64 grey, 4x4 grid
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < cfg.architecture().numClasses(); i++) {
            labels.add("class " + i);
        }
        modelDir = tmp.resolve("model");
        try (VitModel m = VitModel.create(cfg, labels, Device.cpu(), 7)) {
            m.save(modelDir);
        }
        images = tmp.resolve("images");
        Files.createDirectories(images.resolve("sub"));
        Random r = new Random(1);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(40 + 10 * i, 30, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int x = 0; x < img.getWidth(); x++) {
                    img.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", images.resolve((i == 2 ? "sub/" : "") + "img" + i + ".png").toFile());
        }
        Files.writeString(images.resolve("notes.jpg"), "this is text, not a JPEG");
        Files.write(images.resolve("empty.png"), new byte[0]);
        Files.writeString(images.resolve("readme.txt"), "ignored: not an image extension");
    }

    @Test
    void helpAndVersion() {
        CliRun help = run("--help");
        assertEquals(0, help.code());
        for (String sub : List.of("predict", "eval", "patches", "posemb", "info", "train")) {
            assertTrue(help.out().contains(sub), sub);
            assertEquals(0, run(sub, "--help").code(), sub);
        }
        CliRun v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("vit4j "), v.out());
    }

    @Test
    void predictDirectoryWithGoodAndBadFiles() {
        CliRun r = run("predict", "--model", modelDir.toString(), "--format", "json", "--top-k", "2", "--logits", images.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        List<JsonObject> lines = r.jsonLines();
        assertEquals(5, lines.size(), r.out()); // 3 images + 2 bad files; readme.txt is skipped
        int good = 0;
        for (JsonObject o : lines) {
            String path = o.get("path").getAsString();
            if (path.endsWith(".png") && !path.endsWith("empty.png")) {
                good++;
                assertEquals(2, o.getAsJsonArray("predictions").size());
                assertEquals(10, o.getAsJsonArray("logits").size());
                double p0 = o.getAsJsonArray("predictions").get(0).getAsJsonObject().get("probability").getAsDouble();
                double p1 = o.getAsJsonArray("predictions").get(1).getAsJsonObject().get("probability").getAsDouble();
                assertTrue(p0 >= p1 && p0 <= 1 && p1 >= 0);
            } else {
                assertTrue(o.has("error"), o.toString());
                assertFalse(o.get("error").getAsString().isBlank());
            }
        }
        assertEquals(3, good);
        assertFalse(r.err().contains("Exception"), r.err());
    }

    @Test
    void batchingDoesNotChangeResults() {
        Path img = images.resolve("img1.png");
        CliRun alone = run("predict", "--model", modelDir.toString(), "--format", "json", "--logits", img.toString());
        CliRun batch = run("predict", "--model", modelDir.toString(), "--format", "json", "--logits", "--batch-size", "8",
                images.resolve("img0.png").toString(), img.toString(), images.resolve("sub/img2.png").toString());
        assertEquals(0, alone.code(), alone.err());
        assertEquals(0, batch.code(), batch.err());
        var a = alone.jsonLines().get(0).getAsJsonArray("logits");
        var b = batch.jsonLines().get(1).getAsJsonArray("logits");
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.get(i).getAsDouble(), b.get(i).getAsDouble(), 1e-5);
        }
    }

    @Test
    void tableAndCsvFormats() {
        CliRun t = run("predict", "--model", modelDir.toString(), images.resolve("img0.png").toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().startsWith("PATH"), t.out());
        assertTrue(t.out().contains("img0.png"));
        CliRun c = run("predict", "--model", modelDir.toString(), "--format", "csv", "--top-k", "3", images.resolve("img0.png").toString());
        assertEquals(0, c.code(), c.err());
        assertEquals(4, c.out().strip().split("\n").length, c.out()); // header + 3 ranks
    }

    @Test
    void scramblingIsReproducibleAndRefusesAGridThatDoesNotDivideTheImage() {
        String img = images.resolve("img0.png").toString();
        CliRun a = run("predict", "--model", modelDir.toString(), "--format", "json", "--logits", "--scramble", "--seed", "3", img);
        CliRun b = run("predict", "--model", modelDir.toString(), "--format", "json", "--logits", "--scramble", "--seed", "3", img);
        assertEquals(0, a.code(), a.err());
        assertEquals(a.out(), b.out());
        // the model's input size is fixed (resize): the grid is refused before any image is read
        CliRun bad = run("predict", "--model", modelDir.toString(), "--scramble", "--scramble-grid", "3x3", img);
        assertEquals(ExitCodes.USAGE, bad.code());
        assertEquals("", bad.out());
        assertEquals("vit4j predict: --scramble-grid 3x3: does not divide the model's 64x64 input", bad.errorLine());
    }

    @Test
    void tensorInput() throws Exception {
        Path good = tmp.resolve("x.npy");
        float[] data = new float[2 * 64 * 64];
        data[5] = 1f;
        data[64 * 64 + 100] = Float.NaN;
        Npy.write(good, new long[] {2, 1, 64, 64}, data);
        CliRun r = run("predict", "--model", modelDir.toString(), "--format", "json", "--tensor", good.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        List<JsonObject> lines = r.jsonLines();
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).has("predictions"));
        assertEquals("contains NaN or infinite values", lines.get(1).get("error").getAsString());

        Path rank3 = tmp.resolve("r3.npy");
        Npy.write(rank3, new long[] {1, 64, 64}, new float[64 * 64]);
        CliRun r3 = run("predict", "--model", modelDir.toString(), "--tensor", rank3.toString());
        assertEquals(ExitCodes.USAGE, r3.code());
        assertTrue(r3.err().contains("has rank 3, expected (B, C, H, W)"), r3.err());

        Path wrongC = tmp.resolve("c3.npy");
        Npy.write(wrongC, new long[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        CliRun rc = run("predict", "--model", modelDir.toString(), "--tensor", wrongC.toString());
        assertEquals(ExitCodes.USAGE, rc.code());
        assertTrue(rc.err().contains("needs C=1"), rc.err());
    }

    @Test
    void badArgumentsAndModels() throws Exception {
        // more than the model's classes: all of them, with a note (as Hugging Face pipelines do)
        CliRun topk = run("predict", "--model", modelDir.toString(), "--format", "csv", "--top-k", "11", images.resolve("img0.png").toString());
        assertEquals(ExitCodes.OK, topk.code(), topk.err());
        assertEquals(1 + 10, topk.out().strip().split("\n").length, topk.out());
        assertTrue(topk.err().contains("vit4j predict: note: --top-k 11 is more than the model's 10 classes: listing all 10"), topk.err());

        CliRun missing = run("predict", "--model", tmp.resolve("nope").toString(), images.resolve("img0.png").toString());
        assertEquals(ExitCodes.MODEL, missing.code());
        assertTrue(missing.err().contains("nope"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace without --verbose");

        CliRun verbose = run("predict", "--verbose", "--model", tmp.resolve("nope").toString(), images.resolve("img0.png").toString());
        assertTrue(verbose.err().contains("\tat "), "stack trace with --verbose");

        CliRun noFile = run("predict", "--model", modelDir.toString(), tmp.resolve("missing.png").toString());
        assertEquals(ExitCodes.SOME_FAILED, noFile.code());
        assertTrue(noFile.out().contains("no such file or directory"), noFile.out());

        Path emptyDir = Files.createDirectories(tmp.resolve("empty-dir"));
        CliRun empty = run("predict", "--model", modelDir.toString(), emptyDir.toString());
        assertEquals(ExitCodes.SOME_FAILED, empty.code());
        assertTrue(empty.out().contains("no image files found"), empty.out());

        assertEquals(ExitCodes.USAGE, run("predict", "--nonsense").code());
        assertEquals(ExitCodes.USAGE, run("predict", "--model", modelDir.toString(), "--format", "xml", "a.png").code());
    }

    @Test
    void patchesPicture() throws Exception {
        Path out = tmp.resolve("patches.png");
        CliRun r = run("patches", images.resolve("img1.png").toString(), "--model", modelDir.toString(), "--scramble", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(out.toFile());
        // 64x64 input magnified 4x, two pictures and an 8 px gap
        assertEquals(256, img.getHeight());
        assertEquals(256 * 2 + 8, img.getWidth());
        CliRun sized = run("patches", images.resolve("img1.png").toString(), "--patch", "16", "--image-size", "32x48", "--out", out.toString(), "--force");
        assertEquals(0, sized.code(), sized.err());
        assertTrue(sized.out().contains("2x3 patches of 16 px"), sized.out());
    }

    @Test
    void posembTablesAndPlot() throws Exception {
        CliRun csv = run("posemb", "--kind", "sincos2d-mae", "--grid", "2x3", "--dim", "8");
        assertEquals(0, csv.code(), csv.err());
        String[] rows = csv.out().strip().split("\n");
        assertEquals(6, rows.length);
        assertEquals(8, rows[0].split(",").length);
        // patch 0 is at x=0, y=0: [sin 0 ..., cos 0 ..., sin 0 ..., cos 0 ...]
        assertEquals("0.0000000,0.0000000,1.0000000,1.0000000,0.0000000,0.0000000,1.0000000,1.0000000", rows[0]);
        Path npy = tmp.resolve("pe.npy");
        Path png = tmp.resolve("pe.png");
        CliRun n = run("posemb", "--kind", "sincos2d-bigvision", "--grid", "4x4", "--dim", "16", "--format", "npy",
                "--out", npy.toString(), "--plot", png.toString());
        assertEquals(0, n.code(), n.err());
        assertEquals(16, Npy.read(npy).shape()[0]);
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
        CliRun learned = run("posemb", "--kind", "learned", "--model", modelDir.toString());
        assertEquals(0, learned.code(), learned.err());
        assertEquals(16, learned.out().strip().split("\n").length);
        CliRun bad = run("posemb", "--kind", "sincos2d-mae", "--grid", "2x2", "--dim", "6");
        assertEquals(ExitCodes.USAGE, bad.code());
    }

    @Test
    void info() {
        CliRun r = run("info", "--model", modelDir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("patch grid:   4x4 of 16 px = 16 patches"), r.out());
        assertTrue(r.out().contains("parameters:"), r.out());
    }

    @Test
    void evalAndTrainOnAnImageFolder() throws Exception {
        Path data = tmp.resolve("folder");
        Random r = new Random(2);
        for (int c = 0; c < 2; c++) {
            Path d = Files.createDirectories(data.resolve(c == 0 ? "dark" : "light"));
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        int v = c == 0 ? r.nextInt(80) : 175 + r.nextInt(80);
                        img.getRaster().setSample(x, y, 0, v);
                    }
                }
                ImageIO.write(img, "png", d.resolve("i" + i + ".png").toFile());
            }
        }
        Path out = tmp.resolve("trained");
        CliRun t = run("train", "--quiet", "--data", data.toString(), "--config", "micro", "--pos-emb", "sincos2d-mae",
                "--epochs", "2", "--batch-size", "8", "--val-size", "4", "--warmup", "0.5", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl"), StandardCharsets.UTF_8).size());
        Path stage2 = tmp.resolve("stage2");
        CliRun again = run("train", "--quiet", "--data", data.toString(), "--init", out.toString(), "--epochs", "1",
                "--batch-size", "8", "--val-size", "4", "--warmup", "0", "--drop-path", "0.1", "--random-erase", "0.5",
                "--out", stage2.toString());
        assertEquals(0, again.code(), again.err());
        String stage2Json = Files.readString(stage2.resolve("train.json"));
        assertTrue(stage2Json.contains("\"weights_sha256\""), stage2Json);
        assertTrue(stage2Json.contains("\"randomErase\": 0.5"), stage2Json);
        assertEquals(0.1, ModelDirectory.readConfig(stage2).dropPath());
        CliRun avg = run("average", out.toString(), stage2.toString(), "--out", tmp.resolve("avg").toString());
        assertEquals(0, avg.code(), avg.err());
        assertEquals("averaged 2 models -> " + tmp.resolve("avg") + "\n", avg.out());
        CliRun mixed = run("average", out.toString(), modelDir.toString(), "--out", tmp.resolve("never").toString());
        assertEquals(ExitCodes.MODEL, mixed.code());
        assertTrue(mixed.err().contains(modelDir + ": its network differs from that of " + out + " (")
                || mixed.err().contains(modelDir + ": its labels differ from those of " + out + " ("), mixed.err());
        CliRun one = run("average", out.toString(), "--out", tmp.resolve("one").toString());
        assertEquals(0, one.code(), one.err());
        assertEquals("copied 1 model -> " + tmp.resolve("one") + "\n", one.out());
        assertTrue(one.err().contains("note: one model given: " + tmp.resolve("one") + " is a copy of " + out), one.err());
        CliRun both = run("train", "--quiet", "--data", data.toString(), "--init", out.toString(), "--pos-emb", "none",
                "--out", tmp.resolve("never").toString());
        assertEquals(ExitCodes.USAGE, both.code());
        assertTrue(both.err().contains("--init takes the architecture from " + out + "; drop --pos-emb"), both.err());
        CliRun e = run("eval", "--quiet", "--model", out.toString(), "--data", data.toString(), "--scramble-grid", "2x2,4x4", "--format", "json");
        assertEquals(0, e.code(), e.err());
        JsonObject o = JsonParser.parseString(e.out()).getAsJsonObject();
        assertEquals(3, o.getAsJsonArray("results").size());
        assertEquals(24, o.getAsJsonArray("results").get(0).getAsJsonObject().get("images").getAsInt());
        CliRun bench = run("bench", "--train", data.toString(), "--variant", "micro", "--batch-size", "4", "--seconds", "0.2",
                "--format", "json");
        assertEquals(0, bench.code(), bench.err());
        JsonObject b = JsonParser.parseString(bench.out()).getAsJsonObject();
        assertEquals("train", b.get("mode").getAsString());
        assertTrue(b.get("images_per_s").getAsDouble() > 0);
        CliRun wrongLabels = run("eval", "--quiet", "--model", modelDir.toString(), "--data", data.toString());
        assertEquals(ExitCodes.USAGE, wrongLabels.code());
        assertTrue(wrongLabels.errorLine().startsWith("vit4j eval: --data " + data + ": 'dark' matches no label of the model;"
                + " 'light' matches no label of the model (the model's labels: class 0, class 1,"), wrongLabels.err());
    }

    @Test
    void importTorchvisionThenPredictTensorMatchesTorchvision() throws Exception {
        Path fixtures = Path.of("src/test/resources/interop");
        Path out = tmp.resolve("tv-model");
        CliRun imp = run("import", "--quiet", "--from", "torchvision", "--heads", "2", fixtures.resolve("tv.safetensors").toString(),
                "--out", out.toString());
        assertEquals(0, imp.code(), imp.err());
        CliRun r = run("predict", "--model", out.toString(), "--format", "json", "--logits", "--top-k", "1",
                "--tensor", fixtures.resolve("tv_input_32x32.npy").toString());
        assertEquals(0, r.code(), r.err());
        Npy.Array want = Npy.read(fixtures.resolve("tv_logits_32x32.npy"));
        List<JsonObject> lines = r.jsonLines();
        int k = (int) want.shape()[1];
        assertEquals(want.shape()[0], lines.size());
        for (int b = 0; b < lines.size(); b++) {
            var got = lines.get(b).getAsJsonArray("logits");
            for (int j = 0; j < k; j++) {
                assertEquals(want.data()[b * k + j], got.get(j).getAsDouble(), 1e-4, "row " + b + " logit " + j);
            }
        }
        CliRun bad = run("import", "--from", "torchvision", fixtures.resolve("hf.safetensors").toString(),
                "--out", tmp.resolve("never").toString());
        assertEquals(ExitCodes.MODEL, bad.code());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    @Test
    void benchJson() {
        CliRun r = run("bench", "--variant", "micro", "--batch-size", "2", "--seconds", "0.3", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("images_per_s").getAsDouble() > 0);
        assertEquals(2, o.get("batch_size").getAsInt());
        assertEquals("fp32", o.get("precision").getAsString());
        assertTrue(o.get("device").getAsString().startsWith("cpu"), o.toString());
        assertEquals(ExitCodes.USAGE, run("bench", "--variant", "huge").code());
        if (ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0) {
            CliRun gpu = run("bench", "--variant", "micro", "--device", "gpu", "--seconds", "0.1");
            assertEquals(ExitCodes.USAGE, gpu.code(), gpu.err());
            assertEquals("", gpu.out());
            assertTrue(gpu.errorLine().startsWith("vit4j bench: --device gpu: the PyTorch engine sees no GPU"), gpu.err());
        }
        Path soakDir = images.resolve("sub");
        CliRun soak = run("bench", "--quiet", "--model", modelDir.toString(), "--soak", "2000", "--soak-images", soakDir.toString());
        assertEquals(0, soak.code(), soak.err());
        JsonObject s = JsonParser.parseString(soak.out()).getAsJsonObject();
        assertEquals(2000, s.get("predictions").getAsLong());
        assertEquals(2, s.getAsJsonArray("rss_kib_every_1000").size());
        assertTrue(s.get("rss_mib_end").getAsDouble() > 10, s.toString());
    }
}
