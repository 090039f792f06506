package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.io.Npy;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ViTConfig;
import org.vit4j.position.PositionEmbeddingKind;

/** Rotary embeddings from the command line: train, scrambled eval, posemb, import by timm name. */
class RopeCliTest {

    @TempDir
    Path tmp;

    private Path folder() throws Exception {
        Path data = tmp.resolve("folder");
        Random r = new Random(2);
        for (int c = 0; c < 2; c++) {
            Path d = Files.createDirectories(data.resolve(c == 0 ? "dark" : "light"));
            for (int i = 0; i < 8; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        img.getRaster().setSample(x, y, 0, c == 0 ? r.nextInt(80) : 175 + r.nextInt(80));
                    }
                }
                ImageIO.write(img, "png", d.resolve("i" + i + ".png").toFile());
            }
        }
        return data;
    }

    @Test
    void trainRopeMixedWithALearnedTableThenEvalScrambledAndPlotItsRotation() throws Exception {
        Path data = folder();
        Path out = tmp.resolve("rope");
        CliRun t = run("train", "--quiet", "--data", data.toString(), "--config", "micro", "--pos-emb",
                "rope-mixed+learned", "--epochs", "1", "--batch-size", "8", "--val-size", "4", "--warmup", "0",
                "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        ViTConfig c = ModelDirectory.readConfig(out);
        assertEquals(PositionEmbeddingKind.ROPE_MIXED, c.architecture().rope());
        assertEquals(PositionEmbeddingKind.LEARNED, c.architecture().posEmb());
        CliRun e = run("eval", "--quiet", "--model", out.toString(), "--data", data.toString(), "--scramble-grid",
                "2x2,4x4", "--format", "json");
        assertEquals(0, e.code(), e.err());
        JsonObject o = JsonParser.parseString(e.out()).getAsJsonObject();
        assertEquals(3, o.getAsJsonArray("results").size());
        CliRun info = run("info", "--model", out.toString());
        assertEquals(0, info.code(), info.err());

        Path png = tmp.resolve("mixed.png");
        CliRun p = run("posemb", "--kind", "rope-mixed", "--model", out.toString(), "--block", "1", "--head", "1",
                "--plot", png.toString(), "--format", "npy", "--out", tmp.resolve("mixed.npy").toString());
        assertEquals(0, p.code(), p.err());
        assertTrue(p.out().contains("rope-mixed table 4x4 grid, D=32, theta 10.0, interleaved pairs, block 1 head 1"), p.out());
        assertTrue(ImageIO.read(png.toFile()).getWidth() > 0);
        CliRun bad = run("posemb", "--kind", "rope-mixed", "--grid", "4x4", "--dim", "16");
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("rope-mixed frequencies are learned: give --model DIR"), bad.err());
        CliRun wrong = run("posemb", "--kind", "rope-axial", "--model", out.toString());
        assertEquals(ExitCodes.MODEL, wrong.code(), wrong.err());
        assertTrue(wrong.err().contains("the model's position embedding is 'rope-mixed+learned', not rope-axial"), wrong.err());
    }

    @Test
    void posembWritesTimmsAxialTable() throws Exception {
        Path npy = tmp.resolve("axial.npy");
        CliRun p = run("posemb", "--kind", "rope-axial", "--grid", "3x5", "--dim", "16", "--format", "npy",
                "--out", npy.toString());
        assertEquals(0, p.code(), p.err());
        Npy.Array want = Npy.read(golden("rope_axial_embed_3x5.npy"));
        Npy.Array got = Npy.read(npy);
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.shape(), got.shape());
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.data(), got.data(), 2e-6f);
    }

    private static Path golden(String name) throws URISyntaxException {
        return Path.of(RopeCliTest.class.getResource("/interop/timm/" + name).toURI());
    }

    @Test
    void importByTimmArchitectureName() throws Exception {
        Path out = tmp.resolve("dinov3");
        CliRun r = run("import", "--from", "timm", golden("dinov3.safetensors").toString(), "--config",
                golden("dinov3_config.json").toString(), "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue((r.out() + r.err()).contains("architecture vit_small_patch16_dinov3_qkvb (timm Eva, rope-dinov3"
                + " positions, LayerScale, 4 registers)"), r.out() + r.err());
        ViTConfig c = ModelDirectory.readConfig(out);
        assertEquals(PositionEmbeddingKind.ROPE_DINOV3, c.architecture().rope());
        Path cfg = tmp.resolve("unknown.json");
        Files.writeString(cfg, "{\"architecture\": \"eva02_tiny_patch14_224\"}");
        CliRun u = run("import", "--from", "timm", golden("dinov3.safetensors").toString(), "--config",
                cfg.toString(), "--out", tmp.resolve("never").toString());
        assertTrue(u.code() != 0);
        assertTrue(u.err().contains("unknown timm architecture 'eva02_tiny_patch14_224'; known: vit_tiny_patch16_224"),
                u.err());
        assertTrue(!Files.exists(tmp.resolve("never")));
    }
}
