package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VitModel#save} / {@link VitModel#load} and everything {@link ModelDirectory} refuses. */
class SaveLoadTest {

    @TempDir
    Path tmp;

    private static final ViTConfig MICRO = Variant.MICRO.toBuilder().optRegisterTokens(1).build();

    private Path saved(ViTConfig config, long seed) throws IOException {
        Path dir = tmp.resolve("model-" + seed);
        try (VitModel model = TestModels.create(config, seed)) {
            model.save(dir);
        }
        return dir;
    }

    /** Rewrites config.json and labels.txt and a matching checksums file. */
    private static void rewrite(Path dir, String configJson, List<String> labels) throws IOException {
        byte[] cfg = (configJson + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] lab = (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8);
        Files.write(dir.resolve(ModelDirectory.CONFIG), cfg);
        Files.write(dir.resolve(ModelDirectory.LABELS), lab);
        byte[] weights = Files.readAllBytes(dir.resolve(ModelDirectory.WEIGHTS));
        Files.writeString(dir.resolve(ModelDirectory.CHECKSUMS),
                ModelDirectory.sha256(cfg) + "  " + ModelDirectory.CONFIG + "\n"
                        + ModelDirectory.sha256(lab) + "  " + ModelDirectory.LABELS + "\n"
                        + ModelDirectory.sha256(weights) + "  " + ModelDirectory.WEIGHTS + "\n");
    }

    private static String load(Path dir) {
        return assertThrows(IOException.class, () -> VitModel.load(dir, Device.cpu()).close()).getMessage();
    }

    @Test
    void saveThenLoadGivesIdenticalLogits() throws IOException {
        Path dir = tmp.resolve("m");
        float[] before;
        try (VitModel model = TestModels.create(MICRO, 3); NDManager m = model.newManager()) {
            before = model.forward(TestModels.images(m, 1, new Shape(3, 1, 64, 64))).get(0).toFloatArray();
            model.save(dir);
        }
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.LABELS, ModelDirectory.WEIGHTS,
                ModelDirectory.CHECKSUMS)) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        try (VitModel loaded = VitModel.load(dir, Device.cpu()); NDManager m = loaded.newManager()) {
            assertEquals(MICRO, loaded.getConfig());
            assertEquals(TestModels.labels(10), loaded.getLabels());
            NDArray x = TestModels.images(m, 1, new Shape(3, 1, 64, 64));
            assertArrayEquals(before, loaded.forward(x).get(0).toFloatArray());
            // and a freshly initialized model of the same config does not give them
            try (VitModel fresh = VitModel.create(MICRO, TestModels.labels(10), Device.cpu(), 3)) {
                assertTrue(TestModels.maxAbsDiff(before, fresh.forward(x).get(0).toFloatArray()) > 1e-3);
            }
        }
    }

    @Test
    void flippedByteInTheWeightsIsRefusedBySha256() throws IOException {
        Path dir = saved(MICRO, 4);
        Path w = dir.resolve(ModelDirectory.WEIGHTS);
        byte[] b = Files.readAllBytes(w);
        b[b.length - 5] ^= 0x01; // inside the last tensor's data, so the file still parses
        Files.write(w, b);
        String msg = load(dir);
        assertTrue(msg.contains("SHA-256"), msg);
        assertTrue(msg.contains(ModelDirectory.WEIGHTS), msg);
        assertTrue(msg.contains("corrupt"), msg);
    }

    @Test
    void configWithMissingOrInvalidFieldIsRefusedNamingIt() throws IOException {
        Path dir = saved(MICRO, 5);
        JsonObject cfg = JsonParser.parseString(Files.readString(dir.resolve(ModelDirectory.CONFIG))).getAsJsonObject();

        JsonObject noWidth = cfg.deepCopy();
        noWidth.remove("width");
        rewrite(dir, noWidth.toString(), TestModels.labels(10));
        String msg = load(dir);
        assertTrue(msg.contains(ModelDirectory.CONFIG) && msg.contains("config field 'width' is missing"), msg);

        JsonObject badHeads = cfg.deepCopy();
        badHeads.addProperty("heads", 3);
        rewrite(dir, badHeads.toString(), TestModels.labels(10));
        msg = load(dir);
        assertTrue(msg.contains("width 32 is not divisible by heads 3"), msg);
    }

    @Test
    void wrongNumberOfLabelsIsRefused() throws IOException {
        Path dir = saved(MICRO, 6);
        rewrite(dir, MICRO.toJson(), TestModels.labels(9));
        String msg = load(dir);
        assertTrue(msg.contains(ModelDirectory.LABELS) && msg.contains("has 9 labels but the config says numClasses=10"),
                msg);
    }

    @Test
    void weightsOfADeeperModelAreRefusedListingTheUnexpected() throws IOException {
        Path dir = saved(MICRO.toBuilder().setDepth(3).build(), 7);
        rewrite(dir, MICRO.toJson(), TestModels.labels(10)); // the config says depth 2
        String msg = load(dir);
        assertTrue(msg.contains("weights do not fit"), msg);
        // summarised: the count, then the first three by name (sorted)
        assertTrue(msg.endsWith(": 12 problems: 12 unexpected (unexpected blocks.2.attn.proj.bias (32);"
                + " unexpected blocks.2.attn.proj.weight (32, 32); unexpected blocks.2.attn.qkv.bias (96); and 9 more)"), msg);
        assertTrue(!msg.contains("blocks.1.") && !msg.contains("missing"), msg);
    }

    @Test
    void weightsOfAShallowerModelAreRefusedListingTheMissing() throws IOException {
        Path dir = saved(MICRO, 8);
        rewrite(dir, MICRO.toBuilder().setDepth(3).build().toJson(), TestModels.labels(10));
        String msg = load(dir);
        assertTrue(msg.contains(": 12 problems: 12 missing (missing blocks.2.norm1.gamma (32); missing blocks.2.norm1.beta (32);"
                + " missing blocks.2.attn.qkv.weight (96, 32); and 9 more)"), msg);
    }

    @Test
    void weightsOfAnotherPatchSizeAreRefusedListingTheShapes() throws IOException {
        Path dir = saved(MICRO, 9);
        rewrite(dir, MICRO.toBuilder().setPatchSize(8).build().toJson(), TestModels.labels(10));
        String msg = load(dir);
        assertTrue(msg.contains("shape of patch_embed.proj.weight is (32, 256), expected (32, 64)"), msg);
        assertTrue(msg.contains("shape of pos_embed.table is (17, 32), expected (65, 32)"), msg);
    }

    @Test
    void weightsOfAnotherClassCountAreRefusedListingTheShapes() throws IOException {
        Path dir = saved(MICRO, 10);
        rewrite(dir, MICRO.toBuilder().setNumClasses(5).build().toJson(), TestModels.labels(5));
        String msg = load(dir);
        assertTrue(msg.contains("shape of head.weight is (10, 32), expected (5, 32)"), msg);
        assertTrue(msg.contains("shape of head.bias is (10), expected (5)"), msg);
    }

    @Test
    void missingDirectoryOrFileIsNamed() throws IOException {
        Path dir = saved(MICRO, 12);
        Files.delete(dir.resolve(ModelDirectory.CHECKSUMS));
        String msg = load(dir);
        assertTrue(msg.contains(ModelDirectory.CHECKSUMS) && msg.contains("missing"), msg);
    }

    @Test
    void labelsMustMatchTheClassCountOnCreate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> VitModel.create(MICRO, TestModels.labels(3), Device.cpu(), 0));
        assertEquals("3 labels given for numClasses=10", e.getMessage());
    }

    @Test
    void labelsFileIsOneNamePerLineStrippedWithoutBlankLines() {
        assertEquals(List.of("T-shirt/top", "ankle boot", "bag"),
                ModelDirectory.parseLabels("T-shirt/top\r\n  ankle boot \n\n\tbag\n"));
        assertEquals(List.of(), ModelDirectory.parseLabels("\n \n"));
    }
}
