package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.AttentionMaps;
import org.vit4j.infer.AttentionPicture;
import org.vit4j.infer.BundledModel;
import org.vit4j.infer.InferenceModel;
import org.vit4j.io.Npy;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.TestModels;
import org.vit4j.model.VitModel;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/**
 * {@code vit4j attention}: the .npy is the library's {@code (L, H, T, T)} maps (prefix tokens
 * first), rows summing to 1, on the compiled and the eager forward alike; {@code --scramble} maps the
 * image predict --scramble classifies; the PNG has the picture's size; bad input is refused with
 * its message and exit code.
 */
class AttentionCommandTest {

    private static final String CAT = "sample-images/photo-cat-chelsea.jpg";

    @TempDir Path tmp;

    private static void usage(CliRun r, String message) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(message, r.errorLine());
        assertTrue(r.err().contains("Try 'vit4j attention --help' for the options."), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    private static Npy.Array npy(Path p) throws Exception {
        return Npy.read(p);
    }

    @Test
    void npyIsTheLibrarysMapsOnBothEnginesWithRowsSummingToOne() throws Exception {
        Path compiled = tmp.resolve("c.npy");
        Path eager = tmp.resolve("e.npy");
        CliRun r = run("attention", CAT, "--format", "npy", "--out", compiled.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(CAT + ": 6 layers x 4 heads, 64 tokens (0 prefix + 8x8 patches) -> " + compiled + " (6, 4, 64, 64)\n",
                r.out());
        assertEquals(0, run("attention", CAT, "--format", "npy", "--engine", "eager", "--out", eager.toString()).code());
        Npy.Array a = npy(compiled);
        assertArrayEquals(new long[] {6, 4, 64, 64}, a.shape());
        assertTrue(TestModels.maxAbsDiff(a.data(), npy(eager).data()) <= 1e-5, "compiled and eager maps differ");
        for (int row = 0; row < a.data().length / 64; row++) {
            double sum = 0;
            for (int j = 0; j < 64; j++) {
                sum += a.data()[row * 64 + j];
            }
            assertEquals(1.0, sum, 1e-5, "row " + row);
        }
        try (InferenceModel m = InferenceModel.bundled(Device.cpu())) {
            AttentionMaps maps = m.attention().maps(Path.of(CAT));
            assertArrayEquals(maps.values(), a.data(), 1e-6f);
        }
    }

    @Test
    void scrambleMapsTheImagePredictScramblesWithItsSeed() throws Exception {
        Path out = tmp.resolve("s.npy");
        CliRun r = run("attention", CAT, "--scramble", "--seed", "5", "--format", "npy", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(", scrambled on 8x8 -> "), r.out());
        try (InferenceModel m = InferenceModel.bundled(Device.cpu())) {
            PreprocessedImage p = Scrambler.scramble(m.preprocess(Path.of(CAT)), new ShuffleGrid(8, 8),
                    Scrambler.imageSeed(5, CAT.hashCode()));
            float[] want = m.attention().maps(List.of(p)).get(0).values();
            assertArrayEquals(want, npy(out).data(), 1e-6f);
            float[] plain = m.attention().maps(Path.of(CAT)).values();
            assertTrue(TestModels.maxAbsDiff(plain, want) > 1e-3, "scrambling changed nothing");
        }
    }

    @Test
    void prefixTokensComeFirstForAModelWithAClassTokenAndRegisters() throws Exception {
        Path dir = tmp.resolve("model");
        try (VitModel model = TestModels.create(ConfigCases.base().optRegisterTokens(4).build(), 3)) {
            model.save(dir);
        }
        Path img = tmp.resolve("noise.png");
        BufferedImage b = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(1);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                b.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ImageIO.write(b, "png", img.toFile());
        Path out = tmp.resolve("a.npy");
        CliRun r = run("attention", img.toString(), "--model", dir.toString(), "--format", "npy", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 layers x 4 heads, 21 tokens (5 prefix + 4x4 patches)"), r.out());
        assertArrayEquals(new long[] {2, 4, 21, 21}, npy(out).shape());
        try (InferenceModel m = InferenceModel.builder().setModelDirectory(dir).optEngine(ForwardEngine.EAGER).build()) {
            assertTrue(TestModels.maxAbsDiff(m.attention().maps(img).values(), npy(out).data()) <= 1e-5);
        }
        Path png = tmp.resolve("a.png");
        assertEquals(0, run("attention", img.toString(), "--model", dir.toString(), "--out", png.toString()).code());
        BufferedImage pic = ImageIO.read(png.toFile());
        // 4 panels of 32 px magnified 4x: the image, 2 layers, the rollout
        assertArrayEquals(new int[] {4 * 128 + 3 * 8, 128}, new int[] {pic.getWidth(), pic.getHeight()});
    }

    @Test
    void pngHasThePicturesSize() throws Exception {
        Path out = tmp.resolve("cat.png");
        CliRun r = run("attention", CAT, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(CAT + ": 6 layers x 4 heads, 64 tokens (0 prefix + 8x8 patches) -> " + out + "\n", r.out());
        BufferedImage pic = ImageIO.read(out.toFile());
        int[] want = AttentionPicture.size(6, 128, 128);
        assertArrayEquals(new int[] {8 * 128 + 7 * 8, 128}, want); // 8 panels: image, 6 layers, rollout
        assertArrayEquals(want, new int[] {pic.getWidth(), pic.getHeight()});
        assertTrue(BundledModel.isAvailable());
    }

    @Test
    void badInputIsRefusedWithItsMessageAndExitCode() throws Exception {
        Path existing = Files.writeString(tmp.resolve("old.png"), "x");
        String png = tmp.resolve("x.png").toString();
        usage(run("attention", "nope.png", "--out", png), "vit4j attention: IMAGE nope.png: no such file");
        usage(run("attention", "--out", png), "vit4j attention: give an IMAGE, or --distance --data SPEC");
        usage(run("attention", CAT), "vit4j attention: --out FILE is required");
        usage(run("attention", CAT, "--format", "jpg", "--out", png), "vit4j attention: --format jpg: valid: png, npy");
        usage(run("attention", CAT, "--out", existing.toString()),
                "vit4j attention: --out " + existing + ": exists; add --force to replace it");
        String npy = tmp.resolve("x.npy").toString();
        usage(run("attention", CAT, "--out", npy), "vit4j attention: --out " + npy
                + ": pictures are written as PNG; name the file *.png, or give --format npy");
        usage(run("attention", CAT, "--out", png, "--precision", "bf16"),
                "vit4j attention: --precision bf16: attention maps are computed in fp32 only");
        usage(run("attention", CAT, "--out", png, "--seed", "3"), "vit4j attention: --seed needs --scramble");
        usage(run("attention", CAT, "--out", png, "--scramble-grid", "2x2"), "vit4j attention: --scramble-grid needs --scramble");
        usage(run("attention", CAT, "--out", png, "--scramble", "--scramble-grid", "3x3"),
                "vit4j attention: --scramble-grid 3x3: does not divide the model's 128x128 input");
        usage(run("attention", CAT, "--out", CAT, "--force", "--format", "npy"),
                "vit4j attention: --out " + CAT + ": is also an input; write to another file");
        CliRun noModel = run("attention", CAT, "--out", png, "--model", tmp.resolve("none").toString());
        assertEquals(ExitCodes.MODEL, noModel.code(), noModel.err());
        assertEquals("vit4j attention: cannot load model: " + tmp.resolve("none") + ": model directory does not exist",
                noModel.errorLine());
        CliRun notImage = run("attention", "README.md", "--out", png);
        assertEquals(ExitCodes.SOME_FAILED, notImage.code(), notImage.err());
        assertEquals("vit4j attention: README.md: not a recognised image (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)",
                notImage.errorLine());
        assertEquals("x", Files.readString(existing));
        assertFalse(Files.exists(Path.of(png)));
    }

    /** An image folder of three grey noise images in two classes. */
    private Path folder() throws Exception {
        Path root = tmp.resolve("data");
        Random random = new Random(3);
        for (int i = 0; i < 3; i++) {
            Path dir = Files.createDirectories(root.resolve(i < 2 ? "a" : "b"));
            BufferedImage b = new BufferedImage(40, 40, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 40; y++) {
                for (int x = 0; x < 40; x++) {
                    int v = random.nextInt(256);
                    b.setRGB(x, y, (v << 16) | (v << 8) | v);
                }
            }
            ImageIO.write(b, "png", dir.resolve(i + ".png").toFile());
        }
        return root;
    }

    @Test
    void distancePrintsTheLibrarysMeanDistancesAsJson() throws Exception {
        Path data = folder();
        for (boolean scrambled : new boolean[] {false, true}) {
            List<String> args = new java.util.ArrayList<>(List.of("attention", "--distance", "--data", data.toString(), "-q"));
            if (scrambled) {
                args.addAll(List.of("--scramble", "--scramble-grid", "4x4", "--seed", "2"));
            }
            CliRun r = run(args.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            com.google.gson.JsonObject o = r.jsonLines().get(0);
            assertEquals(3, o.get("images").getAsInt());
            assertEquals(6, o.get("layers").getAsInt());
            assertEquals(4, o.get("heads").getAsInt());
            assertEquals(scrambled ? "4x4" : null, o.get("scramble").isJsonNull() ? null : o.get("scramble").getAsString());
            try (VitModel m = VitModel.load(BundledModel.files(), Device.cpu());
                    org.vit4j.compiled.InferenceForward f = org.vit4j.compiled.InferenceForward.eager(m)) {
                org.vit4j.train.AttentionDistance.Result want = org.vit4j.train.AttentionDistance.measure(f,
                        m.getConfig().preprocessor(), org.vit4j.train.DataSets.open(data.toString(), null, 1, false), 7,
                        scrambled ? new ShuffleGrid(4, 4) : null, 2, null);
                com.google.gson.JsonArray rows = o.getAsJsonArray("distance");
                assertEquals(6, rows.size());
                for (int l = 0; l < 6; l++) {
                    assertEquals(4, rows.get(l).getAsJsonArray().size());
                    for (int h = 0; h < 4; h++) {
                        assertEquals(want.distance()[l][h], rows.get(l).getAsJsonArray().get(h).getAsDouble(), 5e-4,
                                "layer " + l + " head " + h);
                    }
                }
            }
        }
        Path out = tmp.resolve("d.json");
        CliRun toFile = run("attention", "--distance", "--data", data.toString(), "-q", "--out", out.toString());
        assertEquals(0, toFile.code(), toFile.err());
        assertEquals("", toFile.out());
        assertTrue(Files.readString(out).startsWith("{\"data\":"), Files.readString(out));
    }

    @Test
    void distanceRefusesWhatItDoesNotTake() throws Exception {
        usage(run("attention", "--distance"), "vit4j attention: --distance needs --data SPEC");
        usage(run("attention", "--distance", "--data", "fashion-mnist", CAT),
                "vit4j attention: IMAGE " + CAT + ": --distance measures the --data images; give no IMAGE");
        usage(run("attention", CAT, "--data", "fashion-mnist", "--out", tmp.resolve("a.png").toString()),
                "vit4j attention: --data fashion-mnist: needs --distance (an IMAGE's maps take no data set)");
        usage(run("attention", "--distance", "--data", tmp.resolve("nope").toString()),
                "vit4j attention: --data " + tmp.resolve("nope") + ": no such directory");
        usage(run("attention", "--distance", "--data", "fashion-mnist:val"), "vit4j attention: --data fashion-mnist:val:"
                + " expected fashion-mnist, fashion-mnist:train, fashion-mnist:test (each optionally with :N, its first N"
                + " images, N >= 1) or a directory");
        usage(run("attention", "--distance", "--data", "fashion-mnist", "--format", "npy"),
                "vit4j attention: --format npy: --distance prints JSON");
        usage(run("attention", "--distance", "--data", "fashion-mnist", "--precision", "auto"),
                "vit4j attention: --precision auto: attention maps are computed in fp32 only");
        usage(run("attention", "--distance", "--data", "fashion-mnist", "--seed", "1"),
                "vit4j attention: --seed needs --scramble");
    }
}
