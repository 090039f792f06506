package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * LayerScale (Touvron et al. 2021, CaiT): a learned per-channel factor on a residual branch,
 * timm's {@code LayerScale} ({@code ls1.gamma}, {@code ls2.gamma}; Eva's {@code gamma_1},
 * {@code gamma_2}).
 *
 * <ul>
 *   <li>Input and output: {@code (B, T, D)}.
 *   <li>Parameter: {@code gamma (D)}, initialised to a constant (timm's {@code init_values}, e.g.
 *       1e-5 for DINOv2, DINOv3 and RoPE-ViT).
 * </ul>
 */
public final class LayerScale extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Parameter gamma;

    /**
     * Creates the block.
     *
     * @param width D
     * @param init initial value of every factor
     */
    public LayerScale(int width, float init) {
        super(VERSION);
        gamma = addParameter(
                Parameter.builder()
                        .setName("gamma")
                        .setType(Parameter.Type.GAMMA)
                        .optInitializer(new ConstantInitializer(init))
                        .optShape(new Shape(width))
                        .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow(); // (B, T, D)
        return new NDList(x.mul(ps.getValue(gamma, x.getDevice(), training))); // broadcast (D)
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
