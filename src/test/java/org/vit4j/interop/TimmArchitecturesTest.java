package org.vit4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.io.Npy;
import org.vit4j.model.Pooling;
import org.vit4j.model.VitModel;

/**
 * The table of named timm architectures against timm itself: for every name, the tensors the table
 * implies are exactly those of timm's {@code create_model(name, pretrained=False)} (names and shapes
 * recorded by {@code make_fixtures.py} in {@code architectures.json}), with timm's default input
 * size and pooling. Then the refusal of an unknown name and resampling a learned table on import.
 */
class TimmArchitecturesTest {

    @TempDir
    Path tmp;

    private static JsonObject recorded() throws IOException {
        return JsonParser.parseString(Files.readString(TimmGoldenTest.fixture("architectures.json"))).getAsJsonObject();
    }

    @Test
    void everyArchitectureHasExactlyTimmsTensors() throws IOException {
        JsonObject all = recorded();
        assertEquals(new java.util.TreeSet<>(all.keySet()), new java.util.TreeSet<>(TimmArchitecture.names()),
                "the table and the recorded architectures name the same models");
        for (String name : TimmArchitecture.names()) {
            JsonObject rec = all.getAsJsonObject(name);
            JsonObject pre = rec.getAsJsonObject("pretrained_cfg");
            JsonArray input = pre.getAsJsonArray("input_size");
            TimmArchitecture a = TimmArchitecture.of(name);
            assertEquals(input.get(1).getAsInt(), a.imageSize(), name + " input size");
            assertEquals(pre.get("num_classes").getAsInt(), a.numClasses(), name + " classes");
            assertEquals(Pooling.fromName(rec.get("global_pool").getAsString()), a.pooling(), name + " pooling");
            int grid = a.imageSize() / a.patch();
            TimmLayout l = a.layout(a.width(), a.depth(), a.heads(), a.patch(), grid, grid, a.numClasses(), a.pooling());
            Map<String, String> want = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : rec.getAsJsonObject("tensors").entrySet()) {
                want.put(e.getKey(), e.getValue().toString());
            }
            Map<String, String> got = new TreeMap<>();
            for (Map.Entry<String, Shape> e : l.expected().entrySet()) {
                got.put(e.getKey(), java.util.Arrays.toString(e.getValue().getShape()).replace(" ", ""));
            }
            assertEquals(want, got, name);
        }
    }

    @Test
    void anUnknownArchitectureIsRefusedNamingTheKnownOnes() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, "{\"architecture\": \"vit_huge_patch14_clip_224\", \"num_classes\": 5}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> CheckpointImporter.builder()
                .setSource(Source.TIMM).setWeights(TimmGoldenTest.fixture("rope_axial.safetensors"))
                .optSourceConfig(cfg).build().toModel(Device.cpu()).close());
        assertTrue(e.getMessage().contains("unknown timm architecture 'vit_huge_patch14_clip_224'; known: "
                + "vit_tiny_patch16_224, vit_small_patch16_224,"), e.getMessage());
        assertTrue(e.getMessage().contains("vit_base_patch16_rope_mixed_ape_224 (for another plain ViT, import"
                + " without --config and give --heads)"), e.getMessage());
    }

    @Test
    void aLearnedTableIsResampledOnImportAsTimmDoesAtRunTime() throws IOException {
        // timm's dynamic_img_size resamples pos_embed with resample_abs_pos_embed on every forward;
        // importing at that size resamples once: the same logits
        try (VitModel model = CheckpointImporter.builder().setSource(Source.TIMM)
                .setWeights(TimmGoldenTest.fixture("dinov2.safetensors"))
                .optSourceConfig(TimmGoldenTest.fixture("dinov2_config.json"))
                .optImageSize(28, 56).build().toModel(Device.cpu()); NDManager m = model.newManager()) {
            assertEquals(2, model.getConfig().architecture().grid().rows());
            assertEquals(4, model.getConfig().architecture().grid().cols());
            Npy.Array x = Npy.read(TimmGoldenTest.fixture("input_28x56.npy"));
            Npy.Array want = Npy.read(TimmGoldenTest.fixture("dinov2_logits_28x56.npy"));
            NDArray out = model.forward(m.create(x.data(), new Shape(x.shape()))).get(0);
            float[] got = out.toFloatArray();
            double worst = 0;
            for (int i = 0; i < got.length; i++) {
                worst = Math.max(worst, Math.abs(got[i] - want.data()[i]));
            }
            assertTrue(worst < 1e-4, "max diff " + worst);
        }
    }
}
