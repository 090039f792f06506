package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbedding;
import org.vit4j.position.RotaryEmbedding;

/**
 * A Vision Transformer classifier composed of separate stages (timm's {@code VisionTransformer}):
 * {@link PatchEmbedding} → class/register tokens → {@link PositionEmbedding} → {@code depth} ×
 * {@link EncoderBlock} → final LayerNorm → pooling → linear head.
 *
 * <ul>
 *   <li>Input: images {@code (B, C, H, W)}, normalized; H and W multiples of P (other sizes than
 *       the configured one work: sin-cos tables are recomputed and learned ones resampled).
 *   <li>Parameters (names as in {@link #namedParameters()}): {@code patch_embed.proj.*}, {@code
 *       cls_token (1, D)}, {@code reg_token (R, D)}, {@code pos_embed.table (c + N, D)}, {@code
 *       rope.freqs (2, depth, H, D/H/2)} (rope-mixed only), {@code blocks.i.*}, {@code norm.gamma/beta (D)} (or {@code fc_norm.*}), {@code head.weight (K, D)},
 *       {@code head.bias (K)}.
 *   <li>Output of {@code forward}: {@code NDList(logits (B, K), pooled (B, D))}.
 * </ul>
 *
 * <p>Token layout: {@code [cls][reg_0..reg_R-1][patch_0..patch_N-1]}. The class token gets a
 * position (a learned row, or zero for sin-cos); registers get none (they are inserted after the
 * position embedding, as in Darcet et al. 2024). A rotary embedding ({@link RotaryEmbedding}) is
 * computed for the input's grid and applied in every block to the patch tokens' queries and keys
 * only (timm {@code Eva}: prefix tokens unrotated).
 */
public final class VisionTransformer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final ViTConfig config;
    private final PatchEmbedding patchEmbed;
    private final PositionEmbedding posEmbed;
    private final RotaryEmbedding rope;
    private final List<EncoderBlock> blocks = new ArrayList<>();
    private final LayerNorm norm;
    private final Linear head;
    private final Parameter clsToken;
    private final Parameter regToken;

    /**
     * Builds the blocks of a config; call {@code initialize} (or load weights) before use.
     *
     * @param config the config
     */
    public VisionTransformer(ViTConfig config) {
        super(VERSION);
        this.config = config;
        Architecture a = config.architecture();
        int d = a.width();
        patchEmbed = addChildBlock("patch_embed", new PatchEmbedding(a.patchSize(), a.channels(), d));
        posEmbed =
                addChildBlock(
                        "pos_embed",
                        new PositionEmbedding(
                                a.posEmb(), a.posEmbLayout(), a.grid(), d,
                                a.classToken(), a.positionScaling()));
        rope = a.rope().isRope()
                ? addChildBlock("rope", new RotaryEmbedding(a.rope(), a.ropeLayout(),
                        a.ropeIndexing(), a.ropeTheta(), d, a.heads(), a.depth(), a.grid(), a.positionScaling()))
                : null;
        for (int i = 0; i < a.depth(); i++) {
            // timm: linearly increasing stochastic depth, 0 for the first block
            float rate = a.depth() == 1 ? 0f
                    : (float) (config.dropPath() * i / (a.depth() - 1));
            blocks.add(addChildBlock("blocks." + i, new EncoderBlock(config, rate)));
        }
        norm =
                addChildBlock(
                        a.fcNorm() ? "fc_norm" : "norm",
                        LayerNorm.builder()
                                .axis(a.fcNorm() ? 1 : 2)
                                .optEpsilon((float) a.layerNormEps())
                                .build());
        head = addChildBlock("head", Linear.builder().setUnits(a.numClasses()).build());
        clsToken = a.classToken() ? token("cls_token", 1) : null;
        regToken = a.registerTokens() > 0 ? token("reg_token", a.registerTokens()) : null;
        // timm init_weights_vit_timm: trunc_normal(std=.02) for Linear weights, zero biases
        setInitializer(new TruncatedNormalInitializer(0.02f), Parameter.Type.WEIGHT);
    }

    private Parameter token(String name, int count) {
        return addParameter(
                Parameter.builder()
                        .setName(name)
                        .setType(Parameter.Type.OTHER)
                        .optInitializer(new NormalInitializer(1e-6f)) // timm: normal(std=1e-6)
                        .optShape(new Shape(count, config.architecture().width()))
                        .build());
    }

    /** @return the config */
    public ViTConfig getConfig() {
        return config;
    }

    /** @return the patch embedding stage */
    public PatchEmbedding getPatchEmbedding() {
        return patchEmbed;
    }

    /** @return the position embedding stage */
    public PositionEmbedding getPositionEmbedding() {
        return posEmbed;
    }

    /** @return the rotary embedding, or null if the config has none */
    public RotaryEmbedding getRotaryEmbedding() {
        return rope;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray tokens = forwardEncoded(ps, inputs.head(), training);
        NDArray pooled = pool(ps, tokens, training);
        return new NDList(forwardHead(ps, pooled, training), pooled);
    }

    /**
     * Patch tokens with position embeddings, before the encoder.
     *
     * @param ps parameter store
     * @param images {@code (B, C, H, W)}
     * @param training training mode
     * @return {@code (B, T, D)}, {@code T = prefix + N}
     */
    public NDArray embed(ParameterStore ps, NDArray images, boolean training) {
        Architecture a = config.architecture();
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(1) != a.channels()) {
            throw new IllegalArgumentException(
                    "model expects images (B, " + a.channels() + ", H, W), got shape " + s);
        }
        PatchGrid grid = PatchGrid.of((int) s.get(2), (int) s.get(3), a.patchSize());
        NDArray x = patchEmbed.forward(ps, new NDList(images), training).head(); // (B, N, D)
        long b = s.get(0);
        long d = a.width();
        if (clsToken != null) {
            NDArray cls = ps.getValue(clsToken, images.getDevice(), training).reshape(1, 1, d);
            cls.attach(images.getManager()); // a parameter's results join the model's manager: free with the batch
            cls = cls.broadcast(new Shape(b, 1, d)); // (B, 1, D)
            x = NDArrays.concat(new NDList(cls, x), 1); // (B, 1 + N, D)
        }
        x = posEmbed.add(ps, x, grid, training);
        if (regToken != null) {
            long r = a.registerTokens();
            NDArray reg = ps.getValue(regToken, images.getDevice(), training).reshape(1, r, d);
            reg.attach(images.getManager()); // as for the class token
            reg = reg.broadcast(new Shape(b, r, d)); // (B, R, D)
            int c = clsToken != null ? 1 : 0;
            x = NDArrays.concat(new NDList(x.get(":, :{}, :", c), reg, x.get(":, {}:, :", c)), 1);
        }
        if (training && config.dropout() > 0) {
            x = Dropout.dropout(x, (float) config.dropout(), true).head();
        }
        return x; // (B, T, D)
    }

    /**
     * Runs the encoder: embedding, all blocks and the final norm (unless it is applied after pooling).
     *
     * @param ps parameter store
     * @param images {@code (B, C, H, W)}
     * @param training training mode
     * @return tokens {@code (B, T, D)}
     */
    public NDArray forwardEncoded(ParameterStore ps, NDArray images, boolean training) {
        NDArray x = embed(ps, images, training);
        List<NDList> rotations = rotations(ps, images, x, training);
        for (int i = 0; i < blocks.size(); i++) {
            x = blocks.get(i).forward(ps, blockInput(x, rotations, i), training).head();
        }
        if (!config.architecture().fcNorm()) {
            x = norm.forward(ps, new NDList(x), training).head();
        }
        return x;
    }

    /**
     * The attention probabilities of every block and head, in inference mode: the blocks run as
     * {@link #forwardEncoded} runs them, and each block's {@code softmax(q·kᵀ / sqrt(D/H))} is kept
     * ({@link EncoderBlock#attentionProbabilities}).
     *
     * @param ps parameter store
     * @param images {@code (B, C, H, W)}
     * @return {@code (L, B, H, T, T)}, {@code T = prefix + N} in the token layout of {@link #embed}
     */
    public NDArray attentionMaps(ParameterStore ps, NDArray images) {
        NDArray x = embed(ps, images, false);
        List<NDList> rotations = rotations(ps, images, x, false);
        NDList maps = new NDList();
        for (int i = 0; i < blocks.size(); i++) {
            NDList in = blockInput(x, rotations, i);
            maps.add(blocks.get(i).attentionProbabilities(ps, in)); // (B, H, T, T)
            x = blocks.get(i).forward(ps, in, false).head();
        }
        return NDArrays.stack(maps, 0); // (L, B, H, T, T)
    }

    /** The rotary tables of every block for the images' grid, or null without RoPE. */
    private List<NDList> rotations(ParameterStore ps, NDArray images, NDArray tokens, boolean training) {
        if (rope == null) {
            return null;
        }
        Shape s = images.getShape();
        PatchGrid grid = PatchGrid.of((int) s.get(2), (int) s.get(3), config.architecture().patchSize());
        return rope.rotations(ps, grid, tokens, training);
    }

    /** Block {@code i}'s input: the tokens, and its rotation where there is one. */
    private static NDList blockInput(NDArray x, List<NDList> rotations, int i) {
        NDList in = new NDList(x);
        if (rotations != null) {
            in.addAll(rotations.get(i));
        }
        return in;
    }

    /**
     * Pools tokens into one vector per image: the class token, or the mean of the patch tokens.
     *
     * @param ps parameter store
     * @param tokens {@code (B, T, D)}
     * @param training training mode
     * @return {@code (B, D)}
     */
    public NDArray pool(ParameterStore ps, NDArray tokens, boolean training) {
        Architecture a = config.architecture();
        NDArray pooled =
                a.pooling() == Pooling.CLS
                        ? tokens.get(":, 0, :") // (B, D)
                        : tokens.get(":, {}:, :", a.prefixTokens()).mean(new int[] {1}); // (B, D)
        if (a.fcNorm()) {
            pooled = norm.forward(ps, new NDList(pooled), training).head();
        }
        return pooled;
    }

    /**
     * The classifier head.
     *
     * @param ps parameter store
     * @param pooled {@code (B, D)}
     * @param training training mode
     * @return logits {@code (B, K)}
     */
    public NDArray forwardHead(ParameterStore ps, NDArray pooled, boolean training) {
        return head.forward(ps, new NDList(pooled), training).head();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Architecture a = config.architecture();
        Shape in = inputShapes[0]; // (B, C, H, W)
        patchEmbed.initialize(manager, dataType, in);
        long b = in.get(0);
        long n = (in.get(2) / a.patchSize()) * (in.get(3) / a.patchSize());
        long d = a.width();
        posEmbed.initialize(manager, dataType, new Shape(b, n + (a.classToken() ? 1 : 0), d));
        Shape tokens = new Shape(b, n + a.prefixTokens(), d);
        if (rope != null) {
            rope.initialize(manager, dataType, tokens);
        }
        for (EncoderBlock block : blocks) {
            block.initialize(manager, dataType, tokens);
        }
        norm.initialize(manager, dataType, a.fcNorm() ? new Shape(b, d) : tokens);
        head.initialize(manager, dataType, new Shape(b, d));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Architecture a = config.architecture();
        long b = inputShapes[0].get(0);
        return new Shape[] {new Shape(b, a.numClasses()), new Shape(b, a.width())};
    }

    /**
     * Every parameter under a stable dotted name ({@code blocks.0.attn.qkv.weight}); the names
     * of the saved weights file.
     *
     * @return names to parameters, in a fixed order
     */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect(this, "", out);
        return Collections.unmodifiableMap(out);
    }

    private static void collect(Block block, String prefix, Map<String, Parameter> out) {
        for (Pair<String, Parameter> p : block.getDirectParameters()) {
            out.put(prefix + p.getValue().getName(), p.getValue());
        }
        for (Pair<String, Block> child : block.getChildren()) {
            // AbstractBlock prefixes child names with a two-digit index: "01patch_embed"
            String name = child.getKey().replaceFirst("^\\d\\d", "");
            collect(child.getValue(), prefix + name + ".", out);
        }
    }
}
