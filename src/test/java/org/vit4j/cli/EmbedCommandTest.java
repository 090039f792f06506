package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.image.SizingPolicy;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.io.Npy;

/**
 * {@code vit4j embed}: on a DINOv3-layout model imported from timm's fixture, {@code --tokens
 * encoded --prefix} is timm's {@code forward_features}, {@code encoded} is its patch part, and
 * {@code pooled} and {@code embedded} are what the library's encoder view gives; rows keep
 * the input order across image sizes, with their paths beside them; {@code --engine} and {@code
 * --precision} choose the forward that computes; images, directories and bad files follow
 * predict's rules.
 */
class EmbedCommandTest {

    @TempDir
    Path tmp;

    private static Path golden(String name) throws URISyntaxException {
        return Path.of(EmbedCommandTest.class.getResource("/interop/timm/" + name).toURI());
    }

    private Path dinov3() throws Exception {
        Path dir = tmp.resolve("dinov3");
        CliRun r = run("import", "--from", "timm", golden("dinov3.safetensors").toString(), "--config",
                golden("dinov3_config.json").toString(), "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        return dir;
    }

    @Test
    void encodedWithPrefixIsTimmsForwardFeaturesAndTheOtherKindsAreTheLibrarys() throws Exception {
        Path model = dinov3();
        Path x = golden("input_24x40.npy");
        Path all = tmp.resolve("all.npy");
        CliRun r = run("embed", "--model", model.toString(), "--tokens", "encoded", "--prefix", "--tensor", x.toString(),
                "--out", all.toString());
        assertEquals(0, r.code(), r.err());
        Path allPaths = tmp.resolve("all.paths.txt");
        assertEquals("embedded 2 image(s): encoded (2, 20, 32) -> " + all + " (row order: " + allPaths + ")\n", r.out());
        assertEquals(List.of(x + "[0]", x + "[1]"), Files.readAllLines(allPaths));
        Npy.Array want = Npy.read(golden("dinov3_features_24x40.npy"));
        Npy.Array got = Npy.read(all);
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.data(), got.data(), 1e-3f);

        Path patch = tmp.resolve("patch.npy");
        assertEquals(0, run("embed", "--model", model.toString(), "--tokens", "encoded", "--tensor", x.toString(),
                "--out", patch.toString()).code());
        Npy.Array p = Npy.read(patch);
        assertArrayEquals(new long[] {2, 15, 32}, p.shape()); // 3x5 patches, 5 prefix tokens dropped
        for (int b = 0; b < 2; b++) {
            assertArrayEquals(Arrays.copyOfRange(got.data(), (b * 20 + 5) * 32, (b + 1) * 20 * 32),
                    Arrays.copyOfRange(p.data(), b * 15 * 32, (b + 1) * 15 * 32));
        }

        Path pooled = tmp.resolve("pooled.jsonl");
        assertEquals(0, run("embed", "--model", model.toString(), "--format", "jsonl", "--tensor", x.toString(),
                "--out", pooled.toString()).code());
        List<String> lines = Files.readAllLines(pooled);
        assertEquals(2, lines.size());
        Path before = tmp.resolve("before.npy");
        assertEquals(0, run("embed", "--model", model.toString(), "--tokens", "embedded", "--tensor",
                x.toString(), "--out", before.toString()).code());
        Npy.Array pe = Npy.read(before);
        assertArrayEquals(new long[] {2, 15, 32}, pe.shape());
        Npy.Array in = Npy.read(x);
        try (InferenceModel loaded = InferenceModel.load(model, Device.cpu())) {
            for (int b = 0; b < 2; b++) {
                JsonObject o = JsonParser.parseString(lines.get(b)).getAsJsonObject();
                assertEquals(x + "[" + b + "]", o.get("path").getAsString());
                assertEquals("pooled", o.get("tokens").getAsString());
                float[] e = new float[32];
                for (int i = 0; i < 32; i++) {
                    e[i] = o.getAsJsonArray("embedding").get(i).getAsFloat();
                }
                int per = 3 * 24 * 40;
                PreprocessedImage image = new PreprocessedImage(Arrays.copyOfRange(in.data(), b * per, (b + 1) * per), 3, 24, 40);
                assertArrayEquals(loaded.encoder().pooled(List.of(image)).get(0), e, 1e-6f);
                float[][] tokens = loaded.encoder().embedded(List.of(image)).get(0);
                for (int t = 0; t < 15; t++) {
                    assertArrayEquals(tokens[t], Arrays.copyOfRange(pe.data(), (b * 15 + t) * 32, (b * 15 + t + 1) * 32), 1e-6f);
                }
            }
        }
    }

    /** A model that keeps each image's own size (policy pad), so pictures of different sizes give different T. */
    private Path padModel() throws Exception {
        Path dir = tmp.resolve("pad");
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).optSizing(SizingPolicy.PAD).build();
        try (VitModel m = TestModels.create(cfg, 6)) {
            m.save(dir);
        }
        return dir;
    }

    private Path picture(String name, int h, int w, long seed) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        Path f = tmp.resolve(name);
        ImageIO.write(img, "png", f.toFile());
        return f;
    }

    @Test
    void npyRowsFollowTheInputOrderAcrossSizesAndAFailedInputIsTraceable() throws Exception {
        Path model = padModel();
        // A and C share a size, B does not: grouped by size they would run A, C, then B
        Path a = picture("a.png", 32, 32, 1);
        Path b = picture("b.png", 16, 48, 2);
        Path c = picture("c.png", 32, 32, 3);
        Path bad = tmp.resolve("bad.png");
        Files.writeString(bad, "not a picture");
        Path out = tmp.resolve("rows.npy");
        CliRun e = run("embed", "--model", model.toString(), "--batch-size", "8", a.toString(), b.toString(),
                bad.toString(), c.toString(), "--out", out.toString());
        assertEquals(ExitCodes.SOME_FAILED, e.code(), e.err());
        assertEquals(bad + ": not a recognised image (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)\n", e.err());
        Path paths = tmp.resolve("rows.paths.txt");
        assertEquals(List.of(a.toString(), b.toString(), c.toString()), Files.readAllLines(paths));
        Npy.Array rows = Npy.read(out);
        assertArrayEquals(new long[] {3, 32}, rows.shape());
        try (InferenceModel loaded = InferenceModel.load(model, Device.cpu())) {
            Path[] order = {a, b, c};
            for (int i = 0; i < 3; i++) {
                float[] alone = loaded.encoder().pooled(order[i]);
                assertArrayEquals(alone, Arrays.copyOfRange(rows.data(), i * 32, (i + 1) * 32), 1e-5f, "row " + i);
            }
        }

        // JSON lines: one line per input, in input order, the failed one with its error
        Path jsonl = tmp.resolve("rows.jsonl");
        CliRun j = run("embed", "--model", model.toString(), "--format", "jsonl", "--tokens", "encoded",
                a.toString(), b.toString(), bad.toString(), c.toString(), "--out", jsonl.toString());
        assertEquals(ExitCodes.SOME_FAILED, j.code(), j.err());
        List<JsonObject> lines = Files.readAllLines(jsonl).stream().map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
        assertEquals(List.of(a.toString(), b.toString(), bad.toString(), c.toString()),
                lines.stream().map(o -> o.get("path").getAsString()).toList());
        assertEquals(4, lines.get(0).getAsJsonArray("embedding").size()); // 32x32: 2x2 patches
        assertEquals(3, lines.get(1).getAsJsonArray("embedding").size()); // 16x48: 1x3 patches
        assertEquals(32, lines.get(1).getAsJsonArray("embedding").get(0).getAsJsonArray().size());
        assertEquals("not a recognised image (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)", lines.get(2).get("error").getAsString());

        // tokens of different counts do not stack into one array: the message names two inputs
        CliRun mixed = run("embed", "--model", model.toString(), "--tokens", "encoded", a.toString(), b.toString(),
                "--out", tmp.resolve("mixed.npy").toString());
        assertEquals(ExitCodes.USAGE, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("(" + a + ") and [3, 32] (" + b + ")"), mixed.err());
    }

    @Test
    void engineAndPrecisionAreHonoured() throws Exception {
        Path model = padModel();
        Path a = picture("a.png", 32, 32, 1);
        float[][] got = new float[3][];
        String[][] forwards = {{"compiled", "fp32"}, {"eager", "fp32"}, {"compiled", "bf16"}};
        for (int i = 0; i < forwards.length; i++) {
            Path out = tmp.resolve("e" + i + ".npy");
            CliRun r = run("embed", "--model", model.toString(), "--engine", forwards[i][0], "--precision", forwards[i][1],
                    "--tokens", "encoded", a.toString(), "--out", out.toString());
            assertEquals(0, r.code(), r.err());
            got[i] = Npy.read(out).data();
        }
        try (InferenceModel eager = InferenceModel.builder().setModelDirectory(model).optEngine(ForwardEngine.EAGER).build()) {
            float[][] want = eager.encoder().encoded(a);
            float[] flat = new float[want.length * 32];
            for (int t = 0; t < want.length; t++) {
                System.arraycopy(want[t], 0, flat, t * 32, 32);
            }
            assertArrayEquals(flat, got[1]); // eager: the eager library call, bit for bit
        }
        assertArrayEquals(got[1], got[0], 1e-4f); // compiled fp32: the same up to float32 rounding
        // bf16 matrix products round to 8 bits of mantissa: visibly different, still close
        double diff = 0;
        for (int i = 0; i < got[0].length; i++) {
            diff = Math.max(diff, Math.abs(got[0][i] - got[2][i]));
        }
        assertTrue(diff > 1e-4 && diff < 0.5, "bf16 vs fp32: " + diff);
        CliRun refused = run("embed", "--model", model.toString(), "--engine", "eager", "--precision", "bf16",
                a.toString(), "--out", tmp.resolve("x.npy").toString());
        assertEquals(ExitCodes.USAGE, refused.code(), refused.err());
        assertTrue(refused.err().contains("vit4j embed: --precision bf16: needs the compiled forward; --engine eager runs the"
                + " eager blocks"), refused.err());
    }

    @Test
    void imagesDirectoriesAndABadFileOneErrorLineEach() throws Exception {
        Path model = dinov3();
        Path dir = Files.createDirectories(tmp.resolve("pics"));
        Random r = new Random(4);
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(40 + 10 * i, 36, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) {
                for (int xx = 0; xx < img.getWidth(); xx++) {
                    img.setRGB(xx, y, r.nextInt(1 << 24));
                }
            }
            ImageIO.write(img, "png", dir.resolve("p" + i + ".png").toFile());
        }
        Path bad = tmp.resolve("bad.png");
        Files.writeString(bad, "not a picture");
        Path out = tmp.resolve("e.npy");
        CliRun e = run("embed", "--model", model.toString(), "--batch-size", "2", dir.toString(), bad.toString(),
                tmp.resolve("missing.jpg").toString(), "--out", out.toString());
        assertEquals(ExitCodes.SOME_FAILED, e.code(), e.err());
        assertTrue(e.err().contains(bad + ": "), e.err());
        assertTrue(e.err().contains(tmp.resolve("missing.jpg") + ": no such file or directory"), e.err());
        assertArrayEquals(new long[] {3, 32}, Npy.read(out).shape());
        assertEquals(List.of("p0.png", "p1.png", "p2.png"), Files.readAllLines(tmp.resolve("e.paths.txt")).stream()
                .map(p -> Path.of(p).getFileName().toString()).toList());
        CliRun none = run("embed", "--model", model.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, none.code());
        assertTrue(none.err().contains("give image PATHs or --tensor FILE.npy (one of the two)"), none.err());
        CliRun tok = run("embed", "--model", model.toString(), "--tokens", "all", dir.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, tok.code());
        assertTrue(tok.err().contains("vit4j embed: --tokens all: valid: embedded, encoded, pooled"), tok.err());
        CliRun former = run("embed", "--model", model.toString(), "--tokens", "patch-embeddings", dir.toString(),
                "--out", out.toString());
        assertEquals(ExitCodes.USAGE, former.code());
        assertEquals("vit4j embed: --tokens patch-embeddings: now called 'embedded' (the tokens the encoder reads;"
                + " patch embeddings are the patch projection alone)", former.errorLine());
        CliRun prefix = run("embed", "--model", model.toString(), "--prefix", dir.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, prefix.code());
        assertTrue(prefix.err().contains("--prefix needs --tokens encoded or embedded"), prefix.err());
    }

    @Test
    void anArrayWithoutRowsStillHasTheRowsShape() throws Exception {
        // every input failed: zero rows of the model's (D) or (T, D), as NumPy's np.empty((0, D)) has
        Path model = padModel(); // micro: 64x64 input, 16x16 patches, width 32
        Path missing = tmp.resolve("missing.png");
        Path pooled = tmp.resolve("none.npy");
        CliRun p = run("embed", "--model", model.toString(), missing.toString(), "--out", pooled.toString());
        assertEquals(ExitCodes.SOME_FAILED, p.code(), p.err());
        assertArrayEquals(new long[] {0, 32}, Npy.read(pooled).shape());
        assertEquals("embedded 0 image(s): pooled (0, 32) -> " + pooled + " (row order: " + tmp.resolve("none.paths.txt")
                + ")\n", p.out());
        Path tokens = tmp.resolve("none-tokens.npy");
        CliRun t = run("embed", "--model", model.toString(), "--tokens", "encoded", missing.toString(), "--out", tokens.toString());
        assertEquals(ExitCodes.SOME_FAILED, t.code(), t.err());
        assertArrayEquals(new long[] {0, 16, 32}, Npy.read(tokens).shape());
    }

    @Test
    void thePathsFileSitsBesideTheArray() {
        assertEquals(Path.of("d/emb.paths.txt"), EmbedCommand.pathsFile(Path.of("d/emb.npy")));
        assertEquals(Path.of("emb.out.paths.txt"), EmbedCommand.pathsFile(Path.of("emb.out")));
    }
}
