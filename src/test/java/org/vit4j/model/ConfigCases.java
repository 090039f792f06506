package org.vit4j.model;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.vit4j.image.SizingPolicy;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The configurations every parity test walks, inference ({@code CompiledParityTest}, {@code
 * CompiledVitTest}) and training ({@code CompiledTrainStepTest}, {@code
 * InferenceTrainingParityTest}) alike: between them they set every option of {@link ViTConfig}
 * ({@code CompiledParityTest.everyConfigOptionIsCovered}), and the published architectures'
 * combinations.
 */
public final class ConfigCases {

    private ConfigCases() {}

    /**
     * One configuration to compare, named for what it sets.
     *
     * @param name what it sets
     * @param config the config
     */
    public record Case(String name, ViTConfig config) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * The base of every case.
     *
     * @return 32x32 RGB, 8 px patches (a 4x4 grid), width 32, 4 heads of 8, two blocks
     */
    public static ViTConfigBuilder base() {
        return TestModels.smallBuilder();
    }

    /** A case. */
    private static Case of(String name, ViTConfigBuilder b) {
        return new Case(name, b.build());
    }

    /**
     * The cases: the base, then one option changed (or a few together) per case.
     *
     * @return the cases, the base first
     */
    public static List<Case> all() {
        return List.of(
                of("base: cls, learned", base()),
                // sizes
                of("non-square 24x40", base().setImageSize(24, 40)),
                of("grey", base().optChannels(1)),
                of("patch 4", base().setPatchSize(4)),
                of("width 48 (head width 12)", base().setWidth(48)),
                of("depth 3", base().setDepth(3)),
                of("2 heads", base().setHeads(2)),
                of("mlp ratio 2.5", base().optMlpRatio(2.5)),
                of("1000 classes", base().setNumClasses(1000)),
                // tokens, pooling, norms, biases
                of("avg pooling", base().optPooling(Pooling.AVG)),
                of("avg, no class token", base().optPooling(Pooling.AVG).optClassToken(false)),
                of("4 registers", base().optRegisterTokens(4)),
                of("fc-norm", base().optPooling(Pooling.AVG).optFcNorm(true)),
                of("no qkv bias", base().optQkvBias(false)),
                // a key bias shifts every logit of a query alike (softmax ignores it) unless RoPE turns it
                of("q/v bias without key bias (Eva), rope-axial", base().optKeyBias(false).optPosEmb("rope-axial")),
                of("layer-norm eps 1e-12", base().optLayerNormEps(1e-12)),
                of("LayerScale", base().optLayerScale(1e-5)),
                // absolute position embeddings
                of("no position embedding", base().optPosEmb(PositionEmbeddingKind.NONE)),
                of("sincos1d", base().optPosEmb(PositionEmbeddingKind.SINCOS1D)),
                of("sincos2d-mae", base().optPosEmb(PositionEmbeddingKind.SINCOS2D_MAE)),
                of("sincos2d-bigvision interleaved", base().optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION)
                        .optPosEmbLayout(SinCosLayout.INTERLEAVED)),
                // rotary position embeddings
                of("rope-axial", base().optPosEmb("rope-axial")),
                of("rope-axial+learned, ij, half, theta 10000", base().optPosEmb("rope-axial+learned")
                        .optRopeIndexing(RopeIndexing.IJ).optRopeLayout(RopeLayout.HALF).optRopeTheta(10000)),
                of("rope-mixed", base().optPosEmb("rope-mixed")),
                of("rope-mixed+learned, ij, half", base().optPosEmb("rope-mixed+learned")
                        .optRopeIndexing(RopeIndexing.IJ).optRopeLayout(RopeLayout.HALF)),
                of("rope-dinov3", base().optPosEmb("rope-dinov3")),
                of("rope-dinov3+sincos2d-mae, interleaved", base().optPosEmb("rope-dinov3+sincos2d-mae")
                        .optRopeLayout(RopeLayout.INTERLEAVED)),
                of("rope-axial, 2 registers, no class token, avg", base().optPosEmb("rope-axial")
                        .optRegisterTokens(2).optClassToken(false).optPooling(Pooling.AVG)),
                // another grid's positions scaled into the configured grid's range (the tables are the eager blocks')
                of("interpolated positions: rope-axial+sincos1d", base().optPosEmb("rope-axial+sincos1d")
                        .optPositionScaling(PositionScaling.INTERPOLATE)),
                of("interpolated positions: rope-mixed+learned", base().optPosEmb("rope-mixed+learned")
                        .optPositionScaling(PositionScaling.INTERPOLATE)),
                // inference ignores these; the program must still accept them
                of("dropout, drop path", base().optDropout(0.1).optDropPath(0.2)),
                of("input: pad, bilinear, crop 1, mean/std", base().optSizing(SizingPolicy.PAD)
                        .optInterpolation("bilinear").optCropPct(1.0)
                        .optNormalization(new float[] {0.5f, 0.4f, 0.3f}, new float[] {0.2f, 0.3f, 0.4f})),
                of("input: resize", base().optSizing(SizingPolicy.RESIZE)),
                of("input: strict", base().optSizing(SizingPolicy.STRICT)),
                // the published architectures' combinations
                of("DINOv2-like: 4 registers, LayerScale, learned, patch 14", base().setImageSize(42, 42)
                        .setPatchSize(14).optRegisterTokens(4).optLayerScale(1e-5)),
                of("DINOv3-like: rope-dinov3, 4 registers, q/v bias, LayerScale, avg, eps 1e-5", base()
                        .optPosEmb("rope-dinov3").optRegisterTokens(4).optKeyBias(false).optLayerScale(1e-5)
                        .optPooling(Pooling.AVG).optLayerNormEps(1e-5)),
                of("RoPE-ViT-like: rope-mixed+learned, LayerScale", base().optPosEmb("rope-mixed+learned")
                        .optLayerScale(1e-5)),
                // combinations beside those
                of("avg, no class token, 3 registers, sincos2d-bigvision, no qkv bias", base()
                        .optPooling(Pooling.AVG).optClassToken(false).optRegisterTokens(3).optQkvBias(false)
                        .optPosEmb(PositionEmbeddingKind.SINCOS2D_BIGVISION)),
                of("1 register, rope-dinov3 half, LayerScale 0.1", base().optRegisterTokens(1)
                        .optPosEmb("rope-dinov3").optRopeLayout(RopeLayout.HALF).optLayerScale(0.1)),
                of("grey 24x40, 4 px patches, 1 block, 1 register", ViTConfig.builder().setImageSize(24, 40)
                        .setPatchSize(4).optChannels(1).setWidth(24).setDepth(1).setHeads(2).setNumClasses(3)
                        .optRegisterTokens(1)));
    }

    /** @return {@link #all()} as JUnit arguments {@code (name, config)} */
    public static Stream<Arguments> arguments() {
        return all().stream().map(c -> Arguments.of(c.name(), c.config()));
    }
}
