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
 *   x = x + dropPath(ls1(attn(norm1(x))))
 *   x = x + dropPath(ls2(mlp(norm2(x))))
 * </pre>
 *
 * with {@code ls1}, {@code ls2} the identity unless the config has LayerScale ({@link LayerScale}).
 *
 * <ul>
 *   <li>Input: tokens {@code (B, T, D)}, optionally followed by a rotation {@code cos, sin} for the
 *       attention ({@link Attention}). Output: tokens {@code (B, T, D)}.
 *   <li>Parameters: {@code norm1.gamma/beta (D)}, {@code attn.*} ({@link Attention}), {@code
 *       norm2.gamma/beta (D)}, {@code mlp.*} ({@link Mlp}), with LayerScale {@code ls1.gamma (D)} and
 *       {@code ls2.gamma (D)}.
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
    private final LayerScale ls1;
    private final LayerScale ls2;
    private final float dropPath;

    /**
     * Creates the block.
     *
     * @param config the model config (width, heads, MLP ratio, epsilon, dropout)
     * @param dropPath stochastic depth rate of this block
     */
    public EncoderBlock(ViTConfig config, float dropPath) {
        super(VERSION);
        Architecture a = config.architecture();
        this.dropPath = dropPath;
        float eps = (float) a.layerNormEps();
        float drop = (float) config.dropout();
        norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).optEpsilon(eps).build());
        attn = addChildBlock("attn", new Attention(config));
        float ls = (float) a.layerScale();
        ls1 = ls > 0 ? addChildBlock("ls1", new LayerScale(a.width(), ls)) : null;
        norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).optEpsilon(eps).build());
        mlp = addChildBlock("mlp", new Mlp(a.width(), a.mlpHidden(), drop));
        ls2 = ls > 0 ? addChildBlock("ls2", new LayerScale(a.width(), ls)) : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head(); // (B, T, D)
        NDList attnIn = norm1.forward(ps, new NDList(x), training);
        if (inputs.size() == 3) {
            attnIn = new NDList(attnIn.head(), inputs.get(1), inputs.get(2)); // + rotation (cos, sin)
        }
        NDArray h = attn.forward(ps, attnIn, training).head();
        x = x.add(dropPath(scale(ls1, ps, h, training), training));
        h = mlp.forward(ps, norm2.forward(ps, new NDList(x), training), training).head();
        x = x.add(dropPath(scale(ls2, ps, h, training), training));
        return new NDList(x);
    }

    /**
     * The attention probabilities of this block's heads for its input ({@link Attention#probabilities}
     * of the normalized tokens), in inference mode; the block's output is not computed.
     *
     * @param ps parameter store
     * @param inputs as for the forward: tokens {@code (B, T, D)}, optionally {@code cos, sin}
     * @return {@code (B, H, T, T)}
     */
    public NDArray attentionProbabilities(ParameterStore ps, NDList inputs) {
        NDList attnIn = norm1.forward(ps, new NDList(inputs.head()), false);
        if (inputs.size() == 3) {
            attnIn = new NDList(attnIn.head(), inputs.get(1), inputs.get(2));
        }
        return attn.probabilities(ps, attnIn);
    }

    private static NDArray scale(LayerScale ls, ParameterStore ps, NDArray h, boolean training) {
        return ls == null ? h : ls.forward(ps, new NDList(h), training).head();
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
        Shape x = inputShapes[0];
        norm1.initialize(manager, dataType, x);
        attn.initialize(manager, dataType, x);
        norm2.initialize(manager, dataType, x);
        mlp.initialize(manager, dataType, x);
        for (LayerScale ls : new LayerScale[] {ls1, ls2}) {
            if (ls != null) {
                ls.initialize(manager, dataType, x);
            }
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
