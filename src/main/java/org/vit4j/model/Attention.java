package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.RotaryEmbedding;

/**
 * Multi-head self-attention with a fused qkv projection, as timm's {@code Attention} (and, with a
 * rotary embedding, timm's {@code AttentionRope} / {@code EvaAttention}).
 *
 * <ul>
 *   <li>Input: tokens {@code (B, T, D)}; optionally followed by a rotation {@code cos, sin}, each
 *       {@code (N, hd/2)} or {@code (H, N, hd/2)}, one value per rotation pair ({@link
 *       RotaryEmbedding#rotations}), which turns the queries and keys of the last {@code N = T -
 *       prefix} tokens; the {@code prefix} class and register tokens pass unrotated (timm: {@code
 *       q[:, :, :npt]} kept).
 *   <li>Parameters: {@code qkv.weight (3D, D)} (rows: all q, then all k, then all v; within each,
 *       head-major), {@code qkv.bias (3D)} (without key bias, as timm's {@code Eva}: its k third is
 *       not used), {@code proj.weight (D, D)}, {@code proj.bias (D)}.
 *   <li>Output: {@code (B, T, D)}.
 * </ul>
 *
 * <p>{@code softmax(q·kᵀ / sqrt(D/H))·v} per head (Vaswani et al. 2017, eq. 1).
 */
public final class Attention extends AbstractBlock {

    private static final byte VERSION = 1;

    /** Largest attention-score tensor computed at once, in floats (16 MiB), see {@link #chunkSize}. */
    static final long MAX_SCORES = 4L << 20;

    private final int heads;
    private final float dropout;
    private final RopeLayout ropeLayout;
    private final int prefix;
    private final boolean keyBias;
    private final Linear qkv;
    private final Linear proj;

    /**
     * Creates the block.
     *
     * @param width D
     * @param heads H, dividing D
     * @param qkvBias whether qkv has a bias
     * @param dropout dropout after the output projection (training only)
     */
    public Attention(int width, int heads, boolean qkvBias, float dropout) {
        this(width, heads, qkvBias, true, dropout, RopeLayout.INTERLEAVED, 0);
    }

    /**
     * Creates the block of a model: its width, heads, qkv bias (with or without the key part),
     * dropout, rotary pair layout and prefix tokens.
     *
     * @param config the model config
     */
    public Attention(ViTConfig config) {
        this(config.architecture().width(), config.architecture().heads(), config.architecture().qkvBias(),
                config.architecture().keyBias(), (float) config.dropout(), config.architecture().ropeLayout(),
                config.architecture().prefixTokens());
    }

    private Attention(int width, int heads, boolean qkvBias, boolean keyBias, float dropout, RopeLayout ropeLayout,
            int prefix) {
        super(VERSION);
        this.heads = heads;
        this.dropout = dropout;
        this.ropeLayout = ropeLayout;
        this.prefix = prefix;
        this.keyBias = keyBias || !qkvBias;
        qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).optBias(qkvBias).build());
        proj = addChildBlock("proj", Linear.builder().setUnits(width).build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.head();
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long d = s.get(2);
        NDList qkvList = queriesKeysValues(ps, inputs, training);
        NDArray q = qkvList.get(0); // (B, H, T, hd), scaled
        NDArray k = qkvList.get(1);
        NDArray v = qkvList.get(2);
        long chunk = chunkSize(b, t);
        NDArray mixed; // (B, H, T, hd)
        if (chunk >= b) {
            mixed = attend(q, k, v);
        } else {
            NDList parts = new NDList();
            for (long i = 0; i < b; i += chunk) {
                long j = Math.min(b, i + chunk);
                parts.add(attend(slice(q, i, j), slice(k, i, j), slice(v, i, j)));
            }
            mixed = NDArrays.concat(parts, 0);
        }
        NDArray out =
                mixed.transpose(0, 2, 1, 3) // (B, T, H, hd)
                        .reshape(b, t, d); // (B, T, D)
        out = proj.forward(ps, new NDList(out), training).head();
        if (training && dropout > 0) {
            out = Dropout.dropout(out, dropout, true).head();
        }
        return new NDList(out);
    }

    /**
     * The attention probabilities {@code softmax(q·kᵀ / sqrt(D/H))} of every head, from the same
     * queries and keys (rotated, with a rotation) the forward uses; the block's output is not
     * computed.
     *
     * @param ps parameter store
     * @param inputs as for the forward: tokens {@code (B, T, D)}, optionally {@code cos, sin}
     * @return {@code (B, H, T, T)}, each row summing to 1
     */
    public NDArray probabilities(ParameterStore ps, NDList inputs) {
        NDList qkvList = queriesKeysValues(ps, inputs, false);
        return qkvList.get(0).matMul(qkvList.get(1).transpose(0, 1, 3, 2)) // (B, H, T, T)
                .softmax(-1);
    }

    /** {@code q} (scaled by {@code 1/sqrt(hd)}), {@code k} and {@code v}, each {@code (B, H, T, hd)}; q and k rotated with a rotation. */
    private NDList queriesKeysValues(ParameterStore ps, NDList inputs, boolean training) {
        NDArray x = inputs.head();
        Shape s = x.getShape();
        long b = s.get(0);
        long t = s.get(1);
        long d = s.get(2);
        long hd = d / heads;
        NDArray qkvOut = qkv.forward(ps, new NDList(x), training).head(); // (B, T, 3D)
        if (!keyBias) {
            // timm Eva: k's bias is a zero buffer. Subtracting the bias's k third gives k no bias and
            // that third a zero gradient, so it stays what it is (zero when imported or initialized).
            NDArray bias = ps.getValue(qkv.getParameters().get("bias"), x.getDevice(), training); // (3D)
            float[] mask = new float[(int) (3 * d)];
            java.util.Arrays.fill(mask, (int) d, (int) (2 * d), 1f);
            qkvOut = qkvOut.sub(x.getManager().create(mask).toDevice(x.getDevice(), false).mul(bias));
        }
        NDArray split =
                qkvOut.reshape(b, t, 3, heads, hd) // (B, T, 3, H, hd)
                        .transpose(2, 0, 3, 1, 4); // (3, B, H, T, hd)
        NDList qkvList = split.split(3, 0);
        NDArray q = qkvList.get(0).squeeze(0); // (B, H, T, hd)
        NDArray k = qkvList.get(1).squeeze(0);
        NDArray v = qkvList.get(2).squeeze(0);
        if (inputs.size() == 3) { // rotary: patch tokens' q and k only
            q = RotaryEmbedding.apply(q, inputs.get(1), inputs.get(2), ropeLayout, prefix);
            k = RotaryEmbedding.apply(k, inputs.get(1), inputs.get(2), ropeLayout, prefix);
        }
        q = q.mul(Scalars.of(q, 1.0 / Math.sqrt(hd))); // never mul(Number) in the graph: see Scalars
        return new NDList(q, k, v);
    }

    /**
     * Images per attention chunk: the score tensor {@code (chunk, H, T, T)} is kept under
     * {@link #MAX_SCORES} floats, so large batches of large images (T = 1 025 at 512×512) do not
     * materialize one score tensor of hundreds of MB; results are identical, images are independent.
     */
    long chunkSize(long batch, long tokens) {
        long perImage = heads * tokens * tokens;
        return Math.max(1, Math.min(batch, MAX_SCORES / perImage));
    }

    /** {@code softmax(q·kᵀ)·v} for pre-scaled {@code q}; all {@code (b, H, T, hd)}. */
    private static NDArray attend(NDArray q, NDArray k, NDArray v) {
        return q.matMul(k.transpose(0, 1, 3, 2)) // (b, H, T, T)
                .softmax(-1)
                .matMul(v); // (b, H, T, hd)
    }

    private static NDArray slice(NDArray x, long from, long to) {
        return x.get(new NDIndex("{}:{}", from, to));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, inputShapes[0]);
        proj.initialize(manager, dataType, inputShapes[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
