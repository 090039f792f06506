package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
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
import org.vit4j.model.ModelCost;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/** What the commands print and write, and the exit codes of the table in docs/limits.md. */
class CliOutputsTest {

    @TempDir static Path tmp;
    static Path modelDir;
    static Path img;
    static Path wide;
    static final String LONG_LABEL = "a label longer than fourteen = columns";

    @BeforeAll
    static void setUp() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build(); // 64x64 grey, 4x4 grid
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < cfg.architecture().numClasses() - 1; i++) {
            labels.add("class " + i);
        }
        labels.add(LONG_LABEL);
        modelDir = tmp.resolve("model");
        try (VitModel m = VitModel.create(cfg, labels, Device.cpu(), 7)) {
            m.save(modelDir);
        }
        img = tmp.resolve("img.png");
        wide = tmp.resolve("写真の画像.png"); // two terminal cells per character
        Random r = new Random(1);
        for (Path p : List.of(img, wide)) {
            BufferedImage b = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 30; y++) {
                for (int x = 0; x < 40; x++) {
                    b.setRGB(x, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(b, "png", p.toFile());
        }
    }

    private static String model() {
        return modelDir.toString();
    }

    @Test
    void noArgumentsIsAUsageErrorWithTheUsageOnStderr() {
        CliRun r = run();
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("", r.out());
        assertTrue(r.err().startsWith("Usage: vit4j"), r.err());
        assertTrue(r.err().contains("vit4j: a command is required: predict, embed, eval, patches,"), r.err());
    }

    @Test
    void aGpuThisMachineLacksIsAUsageErrorInEveryCommand() {
        org.junit.jupiter.api.Assumptions.assumeTrue(ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount() == 0, "this machine has a GPU");
        String[][] commands = {
            {"predict", "--model", model(), img.toString()},
            {"info", "--model", model()},
            {"eval", "--model", model(), "--data", tmp.toString()},
            {"patches", img.toString(), "--model", model(), "--out", tmp.resolve("gpu.png").toString()},
            {"posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "4"},
            {"bench", "--variant", "micro", "--seconds", "0.1"},
        };
        for (String[] c : commands) {
            List<String> args = new ArrayList<>(List.of(c));
            args.addAll(List.of("--device", "gpu"));
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(ExitCodes.USAGE, r.code(), String.join(" ", c) + ": " + r.err());
            assertEquals("", r.out(), "bench printed JSON before; nothing now");
            assertTrue(r.errorLine().startsWith("vit4j " + c[0] + ": --device gpu: the PyTorch engine sees no GPU"), r.err());
        }
        assertFalse(Files.exists(tmp.resolve("gpu.png")));
    }

    @Test
    void importAndAverageNeverOverwriteWorkWithoutForce() throws Exception {
        Path fixtures = Path.of("src/test/resources/interop");
        Path out = tmp.resolve("imported");
        String[] imp = {"import", "--quiet", "--from", "torchvision", "--heads", "2", fixtures.resolve("tv.safetensors").toString(),
            "--out", out.toString()};
        assertEquals(0, run(imp).code());
        byte[] before = Files.readAllBytes(out.resolve(ModelDirectory.CHECKSUMS));
        Files.writeString(out.resolve("notes.txt"), "my notes");
        CliRun again = run(imp);
        assertEquals(ExitCodes.USAGE, again.code());
        assertEquals("vit4j import: --out " + out + ": exists and is not empty; choose a new directory, or add --force to overwrite",
                again.errorLine());
        assertArrayEquals(before, Files.readAllBytes(out.resolve(ModelDirectory.CHECKSUMS)));
        List<String> forced = new ArrayList<>(List.of(imp));
        forced.add("--force");
        assertEquals(0, run(forced.toArray(String[]::new)).code());
        assertEquals("my notes", Files.readString(out.resolve("notes.txt")));

        byte[] weights = Files.readAllBytes(modelDir.resolve(ModelDirectory.WEIGHTS));
        CliRun self = run("average", model(), model(), "--out", model(), "--force");
        assertEquals(ExitCodes.USAGE, self.code());
        assertEquals("vit4j average: --out " + model() + ": is also an input; write to another directory", self.errorLine());
        assertArrayEquals(weights, Files.readAllBytes(modelDir.resolve(ModelDirectory.WEIGHTS)));
    }

    @Test
    void fileErrorsNameTheFileAndTheReason() throws Exception {
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        Path target = file.resolve("x.png");
        CliRun r = run("patches", img.toString(), "--patch", "16", "--image-size", "32", "--out", target.toString());
        assertEquals(ExitCodes.USAGE, r.code(), "found before the image is read");
        assertEquals("vit4j patches: --out " + target + ": " + file + " is not a directory", r.errorLine());
        Path npy = Files.writeString(tmp.resolve("truncated.npy"), "\u0093NUMPY");
        CliRun t = run("predict", "--model", model(), "--tensor", npy.toString());
        assertEquals(ExitCodes.USAGE, t.code());
        assertTrue(t.errorLine().startsWith("vit4j predict: " + npy), t.err());
        CliRun big = run("predict", "--model", model(), "--max-pixels", "1000", img.toString());
        assertEquals(ExitCodes.SOME_FAILED, big.code());
        assertTrue(big.out().contains("image is 40x30 = 1200 pixels, above the limit of 1000 (raise the limit with --max-pixels"), big.out());
    }

    @Test
    void tensorScramblingIsAppliedAndLogitsShowInEveryFormat() throws Exception {
        Path x = tmp.resolve("x.npy");
        float[] data = new float[64 * 64];
        Random r = new Random(3);
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) r.nextGaussian();
        }
        Npy.write(x, new long[] {1, 1, 64, 64}, data);
        JsonArray plain = run("predict", "--model", model(), "--format", "json", "--logits", "--tensor", x.toString())
                .jsonLines().get(0).getAsJsonArray("logits");
        CliRun s = run("predict", "--model", model(), "--format", "json", "--logits", "--scramble", "--seed", "5", "--tensor", x.toString());
        assertEquals(0, s.code(), s.err());
        JsonArray scrambled = s.jsonLines().get(0).getAsJsonArray("logits");
        assertNotEquals(plain, scrambled, "--scramble used to be ignored with --tensor");
        // the same as scrambling the array first, with the row's name as seed (as for an image's path)
        ShuffleGrid g = new ShuffleGrid(4, 4);
        float[] by = Scrambler.apply(data, 1, 64, 64, g, Scrambler.permutation(16, Scrambler.imageSeed(5, (x + "[0]").hashCode())));
        Path y = tmp.resolve("y.npy");
        Npy.write(y, new long[] {1, 1, 64, 64}, by);
        JsonArray manual = run("predict", "--model", model(), "--format", "json", "--logits", "--tensor", y.toString())
                .jsonLines().get(0).getAsJsonArray("logits");
        for (int i = 0; i < 10; i++) {
            assertEquals(manual.get(i).getAsDouble(), scrambled.get(i).getAsDouble(), 1e-5);
        }

        String[] table = run("predict", "--model", model(), "--logits", "--tensor", x.toString()).out().split("\n");
        assertTrue(table[0].endsWith("  LOGITS"), table[0]);
        String[] tableLogits = table[1].substring(table[1].lastIndexOf("  ") + 2).split(" ");
        List<String> csv = run("predict", "--model", model(), "--format", "csv", "--logits", "--top-k", "2", "--tensor", x.toString())
                .out().lines().toList();
        assertEquals("path,rank,label,index,probability,error,logits", csv.get(0));
        String[] csvLogits = csv.get(1).substring(csv.get(1).lastIndexOf(',') + 1).split(" ");
        assertTrue(csv.get(2).endsWith(",,"), csv.get(2)); // logits once per image, on its rank-1 row
        assertEquals(10, tableLogits.length);
        for (int i = 0; i < 10; i++) {
            assertEquals(plain.get(i).getAsDouble(), Double.parseDouble(tableLogits[i]), 1e-6, "table " + i);
            assertEquals(plain.get(i).getAsDouble(), Double.parseDouble(csvLogits[i]), 1e-6, "csv " + i);
        }
    }

    @Test
    void tablesLineUpForLongLabelsAndWidePathsAndJsonKeepsEquals() throws Exception {
        CliRun r = run("predict", "--model", model(), "--top-k", "10", img.toString(), wide.toString());
        assertEquals(0, r.code(), r.err());
        String[] lines = r.out().split("\n");
        // the PROB column starts at the same terminal cell on every line
        int col = Text.width(lines[0].substring(0, lines[0].indexOf("PROB") + 4));
        for (String line : lines) {
            String head = line.substring(0, line.indexOf(" 0.") + 7 <= line.length() && line.indexOf(" 0.") > 0 ? line.indexOf(" 0.") + 7 : 0);
            if (!head.isEmpty()) {
                assertEquals(col, Text.width(head), line);
            }
        }
        assertTrue(lines[0].contains("PREDICTION" + " ".repeat(LONG_LABEL.length() - "PREDICTION".length())), lines[0]);
        CliRun j = run("predict", "--model", model(), "--format", "json", "--top-k", "10", img.toString());
        assertTrue(j.out().contains(LONG_LABEL), j.out()); // '=' was written as \u003d
    }

    @Test
    void evalRefusesAGridBeforeWorkingAndLabelsItsConfusionMatrix() throws Exception {
        CliRun grid = run("eval", "--model", model(), "--data", tmp.toString(), "--scramble-grid", "2x2,3x3");
        assertEquals(ExitCodes.USAGE, grid.code());
        assertEquals("", grid.out(), "the unscrambled pass used to run first, and its result was lost");
        assertEquals("vit4j eval: --scramble-grid 3x3: does not divide the model's 64x64 input", grid.errorLine());

        // two of the model's ten classes, folder names in another case
        Path data = tmp.resolve("subset");
        for (String c : List.of("CLASS 1", "Class 3")) {
            Files.createDirectories(data.resolve(c));
            Files.copy(img, data.resolve(c).resolve("a.png"));
            Files.copy(wide, data.resolve(c).resolve("b.png"));
        }
        CliRun r = run("eval", "--quiet", "--model", model(), "--data", data.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("data: " + data + " (4 images, 2 classes), 2 of the model's 10 classes", lines.get(0));
        assertEquals("forward: compiled (compiled requested), fp32 (fp32 requested)", lines.get(1));
        assertTrue(lines.get(5).startsWith("top-5 accuracy "), r.out());
        assertTrue(lines.get(6).startsWith("class 1 ") && lines.get(7).startsWith("class 3 "), r.out());
        int head = lines.indexOf(lines.stream().filter(l -> l.startsWith("true \\ predicted")).findFirst().orElseThrow());
        assertEquals(List.of("true", "\\", "predicted", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
                List.of(lines.get(head).trim().split(" +")), "a header of predicted class indices");
        assertTrue(lines.get(head + 1).startsWith("1 class 1 "), lines.get(head + 1));
        assertTrue(lines.get(head + 2).startsWith("3 class 3 "), lines.get(head + 2));
        long sum = 0;
        for (int i = 1; i <= 2; i++) {
            String[] cells = lines.get(head + i).trim().split(" +");
            for (int j = cells.length - 10; j < cells.length; j++) {
                sum += Long.parseLong(cells[j]);
            }
        }
        assertEquals(4, sum);
        JsonObject json = com.google.gson.JsonParser.parseString(
                run("eval", "--quiet", "--model", model(), "--data", data.toString(), "--format", "json").out()).getAsJsonObject();
        JsonArray perClass = json.getAsJsonArray("results").get(0).getAsJsonObject().getAsJsonArray("per_class_accuracy");
        assertTrue(perClass.get(0).isJsonNull(), "a class without images is null, not a bare NaN");
        assertFalse(perClass.get(1).isJsonNull());
    }

    @Test
    void predictWritesAFileAndReadsNulSeparatedStdin() throws Exception {
        Path out = tmp.resolve("results.csv");
        CliRun toStdout = run("predict", "--model", model(), "--format", "csv", img.toString(), wide.toString());
        CliRun toFile = run("predict", "--model", model(), "--format", "csv", "--out", out.toString(), img.toString(), wide.toString());
        assertEquals(0, toFile.code(), toFile.err());
        assertEquals("", toFile.out());
        assertEquals(toStdout.out(), Files.readString(out));

        InputStream old = System.in;
        try {
            // a NUL-separated list: a name with a newline in it stays one path
            Path odd = tmp.resolve("two\nlines.png");
            Files.copy(img, odd);
            System.setIn(new ByteArrayInputStream((odd + "\0" + img + "\0").getBytes(StandardCharsets.UTF_8)));
            CliRun nul = run("predict", "--model", model(), "--format", "json", "-0", "-");
            assertEquals(0, nul.code(), nul.err());
            List<JsonObject> lines = nul.jsonLines();
            assertEquals(2, lines.size());
            assertEquals(odd.toString(), lines.get(0).get("path").getAsString());
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void posembPlotAloneWritesNoTableAndInfoShowsSmallFlops() throws Exception {
        Path png = tmp.resolve("pe.png");
        CliRun p = run("posemb", "--kind", "sincos2d-mae", "--grid", "4x4", "--dim", "16", "--plot", png.toString());
        assertEquals(0, p.code(), p.err());
        assertEquals("sincos2d-mae table 4x4 grid, D=16, plot -> " + png + "\n", p.out());
        CliRun i = run("info", "--model", model());
        long flops = ModelCost.flopsPerImage(ModelDirectory.readConfig(modelDir));
        assertTrue(flops < 1e9, "a small model, which used to show 0.000 G");
        assertTrue(i.out().contains("FLOPs/image:  " + InfoCommand.si(flops) + " (2 per multiply-add)"), i.out());
        assertEquals("69.2 M", InfoCommand.si(69_240_000));
        assertEquals("1.26 G", InfoCommand.si(1_258_000_000));
        assertEquals("17.6 G", InfoCommand.si(17_560_000_000L));
        assertEquals("950", InfoCommand.si(950));
    }

    @Test
    void tooManyThreadsAreWarnedAbout() {
        String old = System.getProperty("ai.djl.pytorch.num_threads");
        String oldInterop = System.getProperty("ai.djl.pytorch.num_interop_threads");
        try {
            int cores = Runtime.getRuntime().availableProcessors();
            CliRun r = run("info", "--model", tmp.resolve("none").toString(), "--threads", Integer.toString(cores + 1));
            assertTrue(r.err().contains("vit4j info: note: --threads " + (cores + 1) + " is more than the " + cores
                    + " cores of this machine"), r.err());
            CliRun fine = run("info", "--model", tmp.resolve("none").toString(), "--threads", "1");
            assertFalse(fine.err().contains("note:"), fine.err());
        } finally {
            restore("ai.djl.pytorch.num_threads", old);
            restore("ai.djl.pytorch.num_interop_threads", oldInterop);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
