package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A pre-norm transformer encoder block (ViT, Dosovitskiy et al. 2021, eq. 2–3):
 *
 * <pre>
 *   x = x + dropPath(attn(norm1(x)))
 *   x = x + dropPath(mlp(norm2(x)))
 * </pre>
 *
 * <ul>
 *   <li>Input and output: tokens {@code (B, T, D)}.
 *   <li>Parameters: {@code norm1.gamma/beta (D)}, {@code attn.*} ({@link Attention}), {@code
 *       norm2.gamma/beta (D)}, {@code mlp.*} ({@link Mlp}).
 * </ul>
 *
 * <p>Not DJL's {@code TransformerEncoderBlock}, which is post-norm (BERT) with BatchNorm.
 * Stochastic depth drops the whole residual branch per sample during training (Huang et al. 2016)
 * and rescales the kept ones by {@code 1/(1-p)}.
 */
public final class EncoderBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final LayerNorm norm1;
    private final Attention attn;
    private final LayerNorm norm2;
    private final Mlp mlp;
    private final float dropPath;

    /**
     * Creates the block.
     *
     * @param config the model config (width, heads, MLP ratio, epsilon, dropout)
     * @param dropPath stochastic depth rate of this block
     */
    public EncoderBlock(ViTConfig config, float dropPath) {
        super(VERSION);
        this.dropPath = dropPath;
        float eps = (float) config.getLayerNormEps();
        float drop = (float) config.getDropout();
        norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).optEpsilon(eps).build());
        attn = addChildBlock("attn", new Attention(config.getWidth(), config.getHeads(), config.hasQkvBias(), drop));
        norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).optEpsilon(eps).build());
        mlp = addChildBlock("mlp", new Mlp(config.getWidth(), config.getMlpHidden(), drop));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow(); // (B, T, D)
        NDArray h = attn.forward(ps, norm1.forward(ps, new NDList(x), training), training).head();
        x = x.add(dropPath(h, training));
        h = mlp.forward(ps, norm2.forward(ps, new NDList(x), training), training).head();
        x = x.add(dropPath(h, training));
        return new NDList(x);
    }

    private NDArray dropPath(NDArray branch, boolean training) {
        if (!training || dropPath <= 0) {
            return branch;
        }
        float keep = 1f - dropPath;
        long b = branch.getShape().get(0);
        NDArray mask =
                branch.getManager()
                        .randomUniform(0f, 1f, new Shape(b, 1, 1), branch.getDataType(), branch.getDevice())
                        .lt(keep)
                        .toType(branch.getDataType(), false)
                        .div(keep); // (B, 1, 1)
        return branch.mul(mask);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm1.initialize(manager, dataType, inputShapes);
        attn.initialize(manager, dataType, inputShapes);
        norm2.initialize(manager, dataType, inputShapes);
        mlp.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
