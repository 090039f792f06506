package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/** JSON round trips, builder validation and the parameter count of {@link ViTConfig}. */
class ViTConfigTest {

    @ParameterizedTest
    @EnumSource(Variant.class)
    void everyVariantSurvivesAJsonRoundTrip(Variant variant) {
        ViTConfig c = variant.toBuilder().build();
        ViTConfig back = ViTConfig.fromJson(c.toJson());
        assertEquals(c, back);
        assertEquals(c.toJson(), back.toJson());
        assertEquals(c.architecture().width(), back.architecture().width());
        assertEquals(c.architecture().depth(), back.architecture().depth());
        assertEquals(c.architecture().heads(), back.architecture().heads());
        assertEquals(c.architecture().patchSize(), back.architecture().patchSize());
        assertEquals(c.architecture().imageHeight(), back.architecture().imageHeight());
        assertEquals(c.architecture().channels(), back.architecture().channels());
        assertEquals(c.architecture().mlpRatio(), back.architecture().mlpRatio());
        assertEquals(c.architecture().numClasses(), back.architecture().numClasses());
        assertArrayEquals(c.preprocessing().meanArray(), back.preprocessing().meanArray());
        assertArrayEquals(c.preprocessing().stdArray(), back.preprocessing().stdArray());
        assertEquals(c.preprocessing().sizing(), back.preprocessing().sizing());
        assertEquals(c.preprocessing().interpolation(), back.preprocessing().interpolation());
    }

    @Test
    void everyNonDefaultFieldSurvivesAJsonRoundTrip() {
        ViTConfig c = ViTConfig.builder().setImageSize(48, 80).setPatchSize(8).optChannels(3)
                .setWidth(24).setDepth(3).setHeads(3).optMlpRatio(2.5).setNumClasses(7)
                .optPooling(Pooling.AVG).optClassToken(true).optRegisterTokens(4).optFcNorm(true)
                .optQkvBias(false).optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION)
                .optPosEmbLayout(SinCosLayout.INTERLEAVED).optLayerNormEps(1e-12).optDropout(0.1)
                .optDropPath(0.2).optSizing("pad").optInterpolation("bilinear").optCropPct(0.9)
                .optNormalization(new float[] {0.1f, 0.2f, 0.3f}, new float[] {0.4f, 0.5f, 0.6f})
                .optPositionScaling(PositionScaling.INTERPOLATE)
                .build();
        assertTrue(c.toJson().contains("\"positionScaling\": \"interpolate\""), c.toJson());
        ViTConfig b = ViTConfig.fromJson(c.toJson());
        Architecture a = b.architecture();
        Preprocessing p = b.preprocessing();
        assertEquals(c, b);
        assertEquals(PositionScaling.INTERPOLATE, a.positionScaling());
        assertEquals(48, a.imageHeight());
        assertEquals(80, a.imageWidth());
        assertEquals(8, a.patchSize());
        assertEquals(3, a.channels());
        assertEquals(24, a.width());
        assertEquals(3, a.depth());
        assertEquals(3, a.heads());
        assertEquals(2.5, a.mlpRatio());
        assertEquals(60, a.mlpHidden());
        assertEquals(7, a.numClasses());
        assertEquals(Pooling.AVG, a.pooling());
        assertTrue(a.classToken());
        assertEquals(4, a.registerTokens());
        assertEquals(5, a.prefixTokens());
        assertTrue(a.fcNorm());
        assertFalse(a.qkvBias());
        assertEquals(PositionEmbeddingKind.SINCOS2D_BIGVISION, a.posEmb());
        assertEquals(SinCosLayout.INTERLEAVED, a.posEmbLayout());
        assertEquals(1e-12, a.layerNormEps());
        assertEquals(0.1, b.dropout());
        assertEquals(0.2, b.dropPath());
        assertEquals(SizingPolicy.PAD, p.sizing());
        assertEquals(Interpolation.BILINEAR, p.interpolation());
        assertEquals(0.9, p.cropPct());
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f}, p.meanArray());
        assertArrayEquals(new float[] {0.4f, 0.5f, 0.6f}, p.stdArray());
        // equality sees every field: one changed value makes another config
        assertNotEquals(c, c.toBuilder().optRegisterTokens(3).build());
        assertNotEquals(c, c.toBuilder().optPosEmbLayout(SinCosLayout.SPLIT).build());
        assertNotEquals(c, c.toBuilder().optLayerNormEps(1e-6).build());
        assertEquals(c, c.toBuilder().build());
    }

    @Test
    void sameModelIgnoresOnlyTheTrainingRates() {
        ViTConfig base = Variant.MICRO.toBuilder().build();
        ViTConfig regularized = base.toBuilder().optDropout(0.1).optDropPath(0.2).build();
        assertNotEquals(base, regularized);
        assertTrue(base.sameModel(regularized));
        assertTrue(regularized.sameModel(base));
        assertEquals(base.architecture(), regularized.architecture());
        assertFalse(base.sameModel(base.toBuilder().setDepth(base.architecture().depth() + 1).build()));
        assertFalse(base.sameModel(base.toBuilder().optPooling(Pooling.AVG).build()));
        assertFalse(base.sameModel(base.toBuilder().optLayerNormEps(1e-5).build()));
        assertFalse(base.sameModel(base.toBuilder().optCropPct(0.5).build()));
    }

    /** Written by the pre-record {@code ConfigJson} (commit d555056) for the config below. */
    private static final String EVERY_OPTIONAL_BLOCK_JSON = """
            {
              "format": "vit4j-model",
              "formatVersion": 1,
              "imageHeight": 32,
              "imageWidth": 48,
              "channels": 3,
              "patchSize": 16,
              "width": 64,
              "depth": 2,
              "heads": 4,
              "mlpRatio": 4.0,
              "numClasses": 5,
              "pooling": "avg",
              "classToken": false,
              "registerTokens": 1,
              "fcNorm": false,
              "qkvBias": true,
              "keyBias": false,
              "posEmb": "learned",
              "posEmbLayout": "split",
              "rope": {
                "kind": "rope-dinov3",
                "theta": 50.0,
                "layout": "half",
                "indexing": "ij"
              },
              "layerScale": 1.0E-5,
              "layerNormEps": 1.0E-6,
              "dropout": 0.0,
              "dropPath": 0.0,
              "preprocess": {
                "sizing": "pad",
                "interpolation": "bicubic",
                "cropPct": 0.875,
                "mean": [
                  0.485,
                  0.456,
                  0.406
                ],
                "std": [
                  0.229,
                  0.224,
                  0.225
                ]
              }
            }""";

    /**
     * The option names a compiled program checks against are the config file's fields: every
     * component of the parts and the rates, nothing else (the rotary settings sit in {@code rope},
     * the preprocessing in {@code preprocess}).
     */
    @Test
    void optionNamesAreTheFieldsOfTheConfigFile() {
        ViTConfig c = Variant.MICRO.toBuilder().optQkvBias(true).optKeyBias(false)
                .optPosEmb("rope-mixed+learned").optPositionScaling(PositionScaling.INTERPOLATE).build();
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(c.toJson()).getAsJsonObject();
        java.util.List<String> fields = new java.util.ArrayList<>();
        for (String k : o.keySet()) {
            switch (k) {
                case "format", "formatVersion" -> { }
                case "rope" -> fields.addAll(java.util.List.of("rope", "ropeLayout", "ropeIndexing", "ropeTheta"));
                case "preprocess" -> fields.addAll(o.getAsJsonObject(k).keySet());
                default -> fields.add(k);
            }
        }
        assertEquals(new java.util.TreeSet<>(fields), new java.util.TreeSet<>(ViTConfig.optionNames()));
        assertEquals(fields.size(), ViTConfig.optionNames().size());
    }

    @Test
    void toJsonWritesTheConfigFileFormatByteForByte() {
        ViTConfig c = ViTConfig.builder().setImageSize(32, 48).setPatchSize(16).optChannels(3).setWidth(64)
                .setDepth(2).setHeads(4).setNumClasses(5).optPooling(Pooling.AVG).optRegisterTokens(1)
                .optKeyBias(false).optPosEmb("rope-dinov3+learned").optRopeTheta(50).optLayerScale(1e-5)
                .optSizing("pad")
                .optNormalization(new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f})
                .build();
        assertEquals(EVERY_OPTIONAL_BLOCK_JSON, c.toJson());
        assertEquals(c, ViTConfig.fromJson(EVERY_OPTIONAL_BLOCK_JSON));
    }

    @Test
    void aFileFromBeforeKeyBiasRopeAndLayerScaleReadsWithTheirDefaults() throws IOException {
        String file;
        try (InputStream in = ViTConfigTest.class.getResourceAsStream("/org/vit4j/bundled/fashion-vit/config.json")) {
            file = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertFalse(file.contains("keyBias") || file.contains("rope") || file.contains("layerScale"), file);
        ViTConfig c = ViTConfig.fromJson(file);
        assertTrue(c.architecture().keyBias());
        assertEquals(PositionEmbeddingKind.NONE, c.architecture().rope());
        assertEquals(0.0, c.architecture().layerScale());
        // written back, the file gains only the one newer field that is always written
        assertEquals(file.replace("  \"layerNormEps\"", "  \"layerScale\": 0.0,\n  \"layerNormEps\""),
                c.toJson() + "\n");
    }

    @Test
    void equalityIsTheRecordsAndTheArraysAreCopies() {
        float[] mean = {0.5f};
        ViTConfig c = Variant.MICRO.toBuilder().optNormalization(mean, new float[] {0.25f}).build();
        mean[0] = 9f;
        assertArrayEquals(new float[] {0.5f}, c.preprocessing().meanArray());
        c.preprocessing().meanArray()[0] = 9f;
        assertArrayEquals(new float[] {0.5f}, c.preprocessing().meanArray());
        assertThrows(UnsupportedOperationException.class, () -> c.preprocessing().mean().set(0, 9f));

        ViTConfig read = ViTConfig.fromJson(c.toJson());
        assertEquals(c, read);
        assertEquals(c.hashCode(), read.hashCode());
        assertNotEquals(c, c.toBuilder().optNormalization(new float[] {0.5f}, new float[] {0.5f}).build());
        // without rope, the rope settings are the fixed placeholders, so they cannot split equal configs
        Architecture a = c.architecture();
        ViTConfig direct = new ViTConfig(new Architecture(a.imageHeight(), a.imageWidth(), a.channels(),
                a.patchSize(), a.width(), a.depth(), a.heads(), a.mlpRatio(), a.numClasses(), a.pooling(),
                a.classToken(), a.registerTokens(), a.fcNorm(), a.qkvBias(), a.keyBias(), a.posEmb(),
                a.posEmbLayout(), a.rope(), RopeLayout.HALF, RopeIndexing.IJ, 77, a.positionScaling(), a.layerScale(),
                a.layerNormEps()), c.dropout(), c.dropPath(), c.preprocessing());
        assertEquals(c, direct);
    }

    @Test
    void theCanonicalConstructorChecksLikeTheBuilder() {
        ViTConfig c = Variant.MICRO.toBuilder().build();
        Architecture a = c.architecture();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Architecture(
                a.imageHeight(), a.imageWidth(), a.channels(), a.patchSize(), a.width(), a.depth(), 3,
                a.mlpRatio(), a.numClasses(), a.pooling(), a.classToken(), a.registerTokens(), a.fcNorm(),
                a.qkvBias(), a.keyBias(), a.posEmb(), a.posEmbLayout(), a.rope(), null, null, Double.NaN,
                null, a.layerScale(), a.layerNormEps()));
        assertEquals("width 32 is not divisible by heads 3", e.getMessage());
        assertEquals("mean has 3 values for 1 channels", assertThrows(IllegalArgumentException.class,
                () -> new ViTConfig(a, 0, 0, Preprocessing.TIMM)).getMessage());
        assertEquals("dropPath must be in [0, 1), got 1.0", assertThrows(IllegalArgumentException.class,
                () -> new ViTConfig(a, 0, 1, Preprocessing.GREY)).getMessage());
        assertEquals("width 32 is not divisible by heads 3", e.getMessage());
    }

    @Test
    void defaultsOfTheBuilder() {
        ViTConfig c = ViTConfig.builder().setImageSize(32, 32).setPatchSize(16).setWidth(8)
                .setDepth(1).setHeads(2).setNumClasses(3).build();
        Architecture a = c.architecture();
        assertEquals(3, a.channels());
        assertEquals(4.0, a.mlpRatio());
        assertEquals(Pooling.CLS, a.pooling());
        assertTrue(a.classToken());
        assertEquals(0, a.registerTokens());
        assertFalse(a.fcNorm());
        assertTrue(a.qkvBias());
        assertEquals(PositionEmbeddingKind.LEARNED, a.posEmb());
        assertEquals(SinCosLayout.SPLIT, a.posEmbLayout());
        assertEquals(1e-6, a.layerNormEps());
        assertArrayEquals(new float[] {0, 0, 0}, c.preprocessing().meanArray());
        assertArrayEquals(new float[] {1, 1, 1}, c.preprocessing().stdArray());
        assertFalse(c.toBuilder().optPooling(Pooling.AVG).optClassToken(false).build().architecture().classToken());
        // AVG without an explicit class token: none
        assertFalse(ViTConfig.builder().setImageSize(32, 32).setPatchSize(16).setWidth(8).setDepth(1)
                .setHeads(2).setNumClasses(3).optPooling(Pooling.AVG).build().architecture().classToken());
    }

    static Stream<Arguments> invalidBuilders() {
        Supplier<ViTConfigBuilder> ok = () -> Variant.MICRO.toBuilder();
        return Stream.of(
                Arguments.of(ok.get().setHeads(3), "width 32 is not divisible by heads 3"),
                Arguments.of(ok.get().setImageSize(72, 64), "imageHeight 72 is not a multiple of patchSize 16"),
                Arguments.of(ok.get().setImageSize(64, 40), "imageWidth 40 is not a multiple of patchSize 16"),
                Arguments.of(ok.get().setImageSize(8, 64), "image size 8x64 is smaller than one patch of 16"),
                Arguments.of(ok.get().setWidth(30).setHeads(3).optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE),
                        "sincos2d-mae needs a width divisible by 4, got 30"),
                Arguments.of(ok.get().setWidth(30).setHeads(3).optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION),
                        "sincos2d-bigvision needs a width divisible by 4, got 30"),
                Arguments.of(ok.get().setWidth(33).setHeads(3).optPosEmb(PositionEmbeddingKind.SINCOS1D),
                        "sincos1d needs an even width, got 33"),
                Arguments.of(ok.get().optPooling(Pooling.CLS).optClassToken(false),
                        "pooling 'cls' needs classToken=true"),
                Arguments.of(ok.get().optChannels(2), "channels must be 1 or 3, got 2"),
                Arguments.of(ok.get().setDepth(0), "depth must be positive, got 0"),
                // config.json has no word for an infinity: a config that cannot be written is refused
                Arguments.of(ok.get().optLayerNormEps(Double.POSITIVE_INFINITY), "layerNormEps must be positive and finite, got Infinity"),
                Arguments.of(ok.get().setNumClasses(0), "numClasses must be positive, got 0"),
                Arguments.of(ok.get().optRegisterTokens(-1), "registerTokens must be >= 0, got -1"),
                Arguments.of(ok.get().optDropout(1.0), "dropout must be in [0, 1), got 1.0"),
                Arguments.of(ok.get().optNormalization(new float[] {0.5f, 0.5f}, new float[] {1, 1}),
                        "mean has 2 values for 1 channels"),
                Arguments.of(ok.get().optNormalization(new float[] {0.5f}, new float[] {0}),
                        "std values must be positive, got [0.0]"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidBuilders")
    void builderRefusesWithTheNumbers(ViTConfigBuilder builder, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertEquals(message, e.getMessage());
    }

    @Test
    void fromJsonNamesTheMissingOrInvalidField() {
        JsonObject good = JsonParser.parseString(Variant.MICRO.toBuilder().build().toJson()).getAsJsonObject();

        JsonObject noWidth = good.deepCopy();
        noWidth.remove("width");
        assertEquals("config field 'width' is missing", assertThrows(IllegalArgumentException.class,
                () -> ViTConfig.fromJson(noWidth.toString())).getMessage());

        JsonObject badHeads = good.deepCopy();
        badHeads.addProperty("heads", 3);
        assertEquals("width 32 is not divisible by heads 3", assertThrows(IllegalArgumentException.class,
                () -> ViTConfig.fromJson(badHeads.toString())).getMessage());

        JsonObject fractional = good.deepCopy();
        fractional.addProperty("depth", 2.5);
        assertEquals("config field 'depth' must be an integer, got 2.5", assertThrows(IllegalArgumentException.class,
                () -> ViTConfig.fromJson(fractional.toString())).getMessage());

        JsonObject pooling = good.deepCopy();
        pooling.addProperty("pooling", "max");
        String msg = assertThrows(IllegalArgumentException.class,
                () -> ViTConfig.fromJson(pooling.toString())).getMessage();
        assertTrue(msg.startsWith("config field 'pooling': unknown pooling 'max'"), msg);

        JsonObject scaling = good.deepCopy();
        scaling.addProperty("positionScaling", "stretch");
        msg = assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson(scaling.toString())).getMessage();
        assertTrue(msg.startsWith("config field 'positionScaling': unknown position scaling 'stretch'"), msg);

        JsonObject format = good.deepCopy();
        format.addProperty("format", "timm");
        assertEquals("config field 'format' is 'timm', expected 'vit4j-model'",
                assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson(format.toString())).getMessage());

        JsonObject future = good.deepCopy();
        future.addProperty("formatVersion", 2);
        assertEquals("config formatVersion 2 is newer than this vit4j reads (1)",
                assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson(future.toString())).getMessage());

        assertEquals("config is not a JSON object",
                assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson("[1, 2]")).getMessage());
    }

    @Test
    void microParameterCountByHand() {
        // D=32, hidden 64, 4x4 grid of 16x16 grey patches, 10 classes, class token, learned table
        long patch = 256 * 32 + 32;
        long tokens = 32 + 17 * 32;
        long block = 2 * 64 + (3 * 32 * 32 + 96) + (32 * 32 + 32) + (32 * 64 + 64) + (64 * 32 + 32);
        long head = 2 * 32 + 32 * 10 + 10;
        assertEquals(26282, patch + tokens + 2 * block + head);
        assertEquals(26282, ModelCost.parameters(Variant.MICRO.toBuilder().build()));
    }

    static Stream<ViTConfig> countedConfigs() {
        ViTConfigBuilder base = ViTConfig.builder().setImageSize(32, 48).setPatchSize(8).optChannels(3)
                .setWidth(16).setDepth(2).setHeads(4).optMlpRatio(3).setNumClasses(5);
        return Stream.of(
                base.build(),
                Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build(),
                Variant.MICRO.toBuilder().optRegisterTokens(3).build(),
                Variant.MICRO.toBuilder().optPooling(Pooling.AVG).optRegisterTokens(2).build(),
                Variant.MICRO.toBuilder().optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE).build(),
                Variant.MICRO.toBuilder().optPosEmb(PositionEmbeddingKind.NONE).optPooling(Pooling.AVG)
                        .optFcNorm(true).build(),
                Variant.MICRO.toBuilder().optQkvBias(false).optMlpRatio(1.5).build());
    }

    @ParameterizedTest
    @MethodSource("countedConfigs")
    void parameterCountEqualsTheModelsParameters(ViTConfig config) {
        try (VitModel model = VitModel.create(config, TestModels.labels(config.architecture().numClasses()),
                Device.cpu(), 0)) {
            long sum = 0;
            for (Parameter p : model.getBlock().namedParameters().values()) {
                sum += p.getArray().size();
            }
            assertEquals(sum, ModelCost.parameters(config), config.toString());
        }
    }
}
