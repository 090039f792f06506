package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.vit4j.io.Safetensors;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.position.PosEmbedResampler;
import org.vit4j.train.FashionMnist;
import org.vit4j.train.TinyFashion;

/**
 * {@code eval --image-size} (the model at another input size, its position embedding following the
 * new patch grid) and {@code --data fashion-mnist:N} (the first N images), on a micro model (64 px,
 * 16-px patches: a 4×4 grid) and Fashion-MNIST look-alike files.
 */
class EvalImageSizeTest {

    @TempDir
    Path tmp;

    private Path data;

    @BeforeEach
    void writeData() throws Exception {
        data = tmp.resolve("fashion");
        TinyFashion.write(data, 40, 24);
    }

    private static ViTConfig micro(String posEmb, int side) {
        return Variant.MICRO.toBuilder().optPooling(Pooling.AVG).optClassToken(false).optPosEmb(posEmb)
                .setImageSize(side, side).build();
    }

    /** A fresh micro model saved in {@code dir}. */
    private static void save(ViTConfig cfg, Path dir) throws Exception {
        try (VitModel m = VitModel.create(cfg, FashionMnist.LABELS, Device.cpu(), 7)) {
            m.save(dir);
        }
    }

    private JsonArray eval(Path model, String... extra) {
        String[] base = {"eval", "--quiet", "--model", model.toString(), "--data-dir", data.toString(),
            "--data", "fashion-mnist:test", "--format", "json"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliRun r = run(args);
        assertEquals(0, r.code(), r.err());
        return JsonParser.parseString(r.out()).getAsJsonObject().getAsJsonArray("results");
    }

    private static JsonObject only(JsonArray results) {
        assertEquals(1, results.size());
        return results.get(0).getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "sincos2d-mae", "sincos1d", "rope-axial", "rope-mixed", "rope-mixed+learned"})
    void atAnotherSizeTheModelIsTheSameWeightsBuiltForThatSize(String kind) throws Exception {
        Path a = tmp.resolve("a");
        save(micro(kind, 64), a);
        Path b = tmp.resolve("b");
        ViTConfig cfg96 = micro(kind, 96);
        try (NDManager m = NDManager.newBaseManager();
                VitModel to = VitModel.create(cfg96, FashionMnist.LABELS, Device.cpu(), 0)) {
            Map<String, NDArray> w = new HashMap<>(Safetensors.read(a.resolve(ModelDirectory.WEIGHTS), m));
            if (kind.endsWith("learned")) {
                // the learned table resampled as timm does (bicubic, 4x4 -> 6x6); every other weight as it is
                float[] t = w.get("pos_embed.table").toFloatArray();
                int d = cfg96.architecture().width();
                float[][] rows = new float[16][d];
                for (int n = 0; n < 16; n++) {
                    System.arraycopy(t, n * d, rows[n], 0, d);
                }
                float[][] r = PosEmbedResampler.resample(rows, 4, 4, 6, 6, PosEmbedResampler.Mode.TIMM);
                float[] flat = new float[36 * d];
                for (int n = 0; n < 36; n++) {
                    System.arraycopy(r[n], 0, flat, n * d, d);
                }
                w.put("pos_embed.table", m.create(flat, new Shape(36, d)));
            }
            to.setWeights(w, "test");
            to.save(b);
        }
        JsonObject at96 = only(eval(a, "--image-size", "96"));
        JsonObject built96 = only(eval(b));
        assertEquals("96x96", at96.get("image_size").getAsString());
        assertEquals("96x96", built96.get("image_size").getAsString());
        assertEquals(built96.get("confusion"), at96.get("confusion"));
        assertEquals(built96.get("loss").getAsDouble(), at96.get("loss").getAsDouble(), 1e-6);
        JsonObject native64 = only(eval(a));
        assertEquals("64x64", native64.get("image_size").getAsString());
        assertNotEquals(native64.get("loss").getAsDouble(), at96.get("loss").getAsDouble(), "another input, another loss");
    }

    /**
     * {@code --position-scaling interpolate}: the model's own size is the plain evaluation, another
     * size is the model whose config says {@code interpolate}, the JSON says which ran, and a bad
     * name is a usage error.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sincos2d-mae", "rope-axial", "learned"})
    void positionScalingAtAnotherSize(String kind) throws Exception {
        Path a = tmp.resolve("a");
        save(micro(kind, 64), a);
        JsonObject plain = JsonParser.parseString(run("eval", "--quiet", "--model", a.toString(), "--data-dir",
                data.toString(), "--data", "fashion-mnist:test", "--format", "json").out()).getAsJsonObject();
        assertEquals("extrapolate", plain.get("position_scaling").getAsString());
        JsonArray in = eval(a, "--image-size", "64,128", "--position-scaling", "interpolate");
        JsonArray ex = eval(a, "--image-size", "64,128");
        assertEquals(only(eval(a)).get("confusion"), in.get(0).getAsJsonObject().get("confusion"),
                "at the model's own size the scaling changes nothing");
        double inLoss = in.get(1).getAsJsonObject().get("loss").getAsDouble();
        double exLoss = ex.get(1).getAsJsonObject().get("loss").getAsDouble();
        if (kind.equals("learned")) {
            assertEquals(exLoss, inLoss, 0.0, "a learned table is resampled under both");
        } else {
            assertNotEquals(exLoss, inLoss, "8x8 patches placed on the 4x4 range");
        }
        // the same weights under a config that says interpolate
        Path b = tmp.resolve("b");
        ViTConfig cfg = micro(kind, 64).toBuilder().optPositionScaling(org.vit4j.position.PositionScaling.INTERPOLATE).build();
        try (NDManager m = NDManager.newBaseManager();
                VitModel to = VitModel.create(cfg, FashionMnist.LABELS, Device.cpu(), 0)) {
            to.setWeights(Safetensors.read(a.resolve(ModelDirectory.WEIGHTS), m), "test");
            to.save(b);
        }
        JsonObject saved = JsonParser.parseString(run("eval", "--quiet", "--model", b.toString(), "--data-dir",
                data.toString(), "--data", "fashion-mnist:test", "--format", "json", "--image-size", "128").out())
                .getAsJsonObject();
        assertEquals("interpolate", saved.get("position_scaling").getAsString());
        assertTrue(run("info", "--model", b.toString()).out().contains(", other grids interpolated\n"));
        assertFalse(run("info", "--model", a.toString()).out().contains("interpolated"));
        assertEquals(in.get(1).getAsJsonObject().get("confusion"), only(saved.getAsJsonArray("results")).get("confusion"));
        CliRun bad = run("eval", "--model", a.toString(), "--data-dir", data.toString(), "--data", "fashion-mnist:test",
                "--position-scaling", "stretch");
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        assertTrue(bad.err().contains("--position-scaling") && bad.err().contains("extrapolate, interpolate"), bad.err());
    }

    @Test
    void severalSizesEachUnscrambledAndScrambledInOrder() throws Exception {
        Path a = tmp.resolve("learned");
        save(micro("learned", 64), a);
        JsonArray r = eval(a, "--image-size", "64,96x128", "--scramble-grid", "2x2");
        assertEquals(4, r.size());
        String[][] expected = {{"64x64", null}, {"64x64", "2x2"}, {"96x128", null}, {"96x128", "2x2"}};
        for (int i = 0; i < 4; i++) {
            JsonObject e = r.get(i).getAsJsonObject();
            assertEquals(expected[i][0], e.get("image_size").getAsString());
            assertEquals(expected[i][1], e.get("scramble_grid").isJsonNull() ? null : e.get("scramble_grid").getAsString());
        }
        JsonArray plain = eval(a, "--scramble-grid", "2x2");
        for (int i = 0; i < 2; i++) {
            assertEquals(plain.get(i).getAsJsonObject().get("confusion"), r.get(i).getAsJsonObject().get("confusion"),
                    "--image-size at the model's own size is the plain evaluation");
        }
        CliRun table = run("eval", "--quiet", "--model", a.toString(), "--data-dir", data.toString(),
                "--data", "fashion-mnist:test", "--image-size", "64,96");
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("64x64 unscrambled") && table.out().contains("96x96 unscrambled"), table.out());
    }

    @Test
    void sizesThatDoNotFitAreUsageErrors() throws Exception {
        Path a = tmp.resolve("m");
        save(micro("sincos2d-mae", 64), a);
        String[] common = {"eval", "--model", a.toString(), "--data-dir", data.toString(), "--data", "fashion-mnist:test"};
        CliRun notMultiple = run(concat(common, "--image-size", "100"));
        assertEquals(ExitCodes.USAGE, notMultiple.code());
        assertEquals("vit4j eval: --image-size 100x100: not a multiple of the model's patch size 16", notMultiple.errorLine());
        CliRun grid = run(concat(common, "--image-size", "96", "--scramble-grid", "5x5"));
        assertEquals(ExitCodes.USAGE, grid.code());
        assertEquals("vit4j eval: --scramble-grid 5x5: does not divide the 96x96 input", grid.errorLine());
        CliRun big = run(concat(common, "--image-size", "4096", "--max-pixels", "1000000"));
        assertEquals(ExitCodes.USAGE, big.code(), big.err());
        assertTrue(big.errorLine().startsWith("vit4j eval: --image-size 4096x4096: 16777216 pixels is above the pixel limit"), big.err());
    }

    @Test
    void theFirstNImagesOfASplit() throws Exception {
        Path a = tmp.resolve("m");
        save(micro("learned", 64), a);
        CliRun r = run("eval", "--quiet", "--model", a.toString(), "--data-dir", data.toString(),
                "--data", "fashion-mnist:test:10", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("first 10 images of fashion-mnist:test (24 images)", o.get("data").getAsString());
        assertEquals(10, only(o.getAsJsonArray("results")).get("images").getAsInt());
        CliRun tooMany = run("eval", "--model", a.toString(), "--data-dir", data.toString(), "--data", "fashion-mnist:test:25");
        assertEquals(ExitCodes.USAGE, tooMany.code(), tooMany.err());
        assertTrue(tooMany.err().contains("vit4j eval: --data fashion-mnist:test:25: 25 images asked, fashion-mnist:test (24 images) has 24"), tooMany.err());

        Path out = tmp.resolve("run");
        CliRun t = run("train", "--quiet", "--data-dir", data.toString(), "--data", "fashion-mnist:30", "--config", "micro",
                "--epochs", "1", "--batch-size", "10", "--val-size", "0", "--out", out.toString());
        assertEquals(0, t.code(), t.err());
        JsonObject d = JsonParser.parseString(Files.readString(out.resolve("train.json"))).getAsJsonObject().getAsJsonObject("data");
        assertEquals("fashion-mnist:30", d.get("source").getAsString());
        assertEquals(30, d.get("train_images").getAsInt());
        assertEquals("first 30 images of fashion-mnist:train (40 images) minus 0 for validation", d.get("train").getAsString());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(1, lines.size());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
