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
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.Npy;

/**
 * {@code vit4j embed}: on a DINOv3-layout model imported from timm's fixture, {@code --tokens all}
 * is timm's {@code forward_features}; {@code patch} is its patch part and {@code pooled} is what
 * {@link VitClassifier#embed} gives; images, directories and bad files follow predict's rules.
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
    void tokensAllIsTimmsForwardFeaturesAndPatchAndPooledAgree() throws Exception {
        Path model = dinov3();
        Path x = golden("input_24x40.npy");
        Path all = tmp.resolve("all.npy");
        CliRun r = run("embed", "--model", model.toString(), "--tokens", "all", "--tensor", x.toString(),
                "--out", all.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("embedded 2 image(s): all (2, 20, 32) -> " + all + "\n", r.out());
        Npy.Array want = Npy.read(golden("dinov3_features_24x40.npy"));
        Npy.Array got = Npy.read(all);
        assertArrayEquals(want.shape(), got.shape());
        assertArrayEquals(want.data(), got.data(), 1e-3f);

        Path patch = tmp.resolve("patch.npy");
        assertEquals(0, run("embed", "--model", model.toString(), "--tokens", "patch", "--tensor", x.toString(),
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
        Npy.Array in = Npy.read(x);
        try (VitClassifier clf = VitClassifier.load(model, Device.cpu())) {
            for (int b = 0; b < 2; b++) {
                JsonObject o = JsonParser.parseString(lines.get(b)).getAsJsonObject();
                assertEquals(x + "[" + b + "]", o.get("path").getAsString());
                float[] e = new float[32];
                for (int i = 0; i < 32; i++) {
                    e[i] = o.getAsJsonArray("embedding").get(i).getAsFloat();
                }
                int per = 3 * 24 * 40;
                float[] lib = clf.embed(List.of(new PreprocessedImage(
                        Arrays.copyOfRange(in.data(), b * per, (b + 1) * per), 3, 24, 40))).get(0);
                assertArrayEquals(lib, e, 1e-6f);
            }
        }
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
        CliRun none = run("embed", "--model", model.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, none.code());
        assertTrue(none.err().contains("give image PATHs or --tensor FILE.npy (one of the two)"), none.err());
        CliRun tok = run("embed", "--model", model.toString(), "--tokens", "cls", dir.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, tok.code());
        assertTrue(tok.err().contains("unknown tokens 'cls'; valid: pooled, patch, all"), tok.err());
    }
}
