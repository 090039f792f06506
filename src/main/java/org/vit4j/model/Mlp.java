package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The transformer MLP: {@code fc2(GELU(fc1(x)))}, GELU the exact (erf) form as in timm.
 *
 * <ul>
 *   <li>Input: {@code (B, T, D)}.
 *   <li>Parameters: {@code fc1.weight (M, D)}, {@code fc1.bias (M)}, {@code fc2.weight (D, M)},
 *       {@code fc2.bias (D)}, {@code M = mlpRatio·D}.
 *   <li>Output: {@code (B, T, D)}.
 * </ul>
 */
public final class Mlp extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Linear fc1;
    private final Linear fc2;
    private final float dropout;

    /**
     * Creates the block.
     *
     * @param width D
     * @param hidden M
     * @param dropout dropout after each layer (training only)
     */
    public Mlp(int width, int hidden, float dropout) {
        super(VERSION);
        this.dropout = dropout;
        fc1 = addChildBlock("fc1", Linear.builder().setUnits(hidden).build());
        fc2 = addChildBlock("fc2", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray h = fc1.forward(ps, inputs, training).head(); // (B, T, M)
        h = Activation.gelu(h);
        if (training && dropout > 0) {
            h = Dropout.dropout(h, dropout, true).head();
        }
        NDArray out = fc2.forward(ps, new NDList(h), training).head(); // (B, T, D)
        if (training && dropout > 0) {
            out = Dropout.dropout(out, dropout, true).head();
        }
        return new NDList(out);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc1.initialize(manager, dataType, inputShapes[0]);
        fc2.initialize(manager, dataType, fc1.getOutputShapes(inputShapes));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
