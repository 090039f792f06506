package org.vit4j.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.Architecture;
import org.vit4j.model.ViTConfig;

/**
 * The encoder view of an {@link InferenceModel}: images in, one of the three {@link TokenKind}s
 * out — embedded tokens (what the encoder reads), encoded tokens (after it) or the pooled vector —
 * computed by the model's forward (compiled or eager, in its precision; {@link
 * InferenceModel#getForward}).
 *
 * <ul>
 *   <li>Input: a file, or preprocessed images {@code (C, H, W)} of any sizes ({@link
 *       InferenceModel#preprocess} turns a {@code BufferedImage} or DJL {@code Image} into one; wrap a
 *       plain {@code float[]} with {@code new PreprocessedImage(chw, C, H, W)}); H and W are
 *       multiples of the patch size {@code P}.
 *   <li>Output per image: the pooled vector {@code (D)}, or tokens {@code (T, D)} with {@code T = N
 *       = (H / P)·(W / P)} patch tokens in row-major patch order, or, with the prefix kept ({@link
 *       InferenceModel#encoder(boolean)}), {@code T = c + R + N}: the class token and the {@code R}
 *       registers first, as in the model ({@code [cls][reg_0..reg_R-1][patch_0..patch_N-1]}).
 *   <li>Lists: images of different sizes go through in separate forward passes (so {@code T} may
 *       differ between them); results come back in input order.
 * </ul>
 *
 * <p>A view owns nothing: it is valid while its model is open, and is as thread-safe as the model;
 * the only arrays that outlive a call are those returned into the caller's manager.
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.load(Path.of("models/my-vit"), Device.cpu())) {
 *     float[][] patches = model.encoder().embedded(Path.of("shirt.png")); // (N, D)
 *     float[][] encoded = model.encoder().encoded(Path.of("shirt.png"));         // (N, D)
 *     float[] pooled = model.encoder().pooled(Path.of("shirt.png"));             // (D)
 * }
 * }</pre>
 */
public final class VitEncoder {

    private final InferenceModel model;
    private final boolean includePrefix;

    /**
     * The view of a model; {@link InferenceModel#encoder(boolean)} is the usual way to get one.
     *
     * @param model the model (not owned)
     * @param includePrefix whether the tokens start with the class and register tokens
     */
    VitEncoder(InferenceModel model, boolean includePrefix) {
        this.model = model;
        this.includePrefix = includePrefix;
    }

    /** @return the model this view runs */
    public InferenceModel getModel() {
        return model;
    }

    /** @return whether token outputs start with the class and register tokens */
    public boolean includesPrefix() {
        return includePrefix;
    }

    /** @return the width {@code D} */
    public int getWidth() {
        return model.getConfig().architecture().width();
    }

    /**
     * The shape of one image's embedding at the model's input size, as {@link Embedding#shape()}
     * gives it: {@code (D)} for {@link TokenKind#POOLED}, else {@code (T, D)}.
     *
     * @param kind which of the three
     * @return the shape
     */
    public long[] shape(TokenKind kind) {
        Architecture a = model.getConfig().architecture();
        int d = getWidth();
        return kind.isTokens() ? new long[] {tokenCount(a.imageHeight(), a.imageWidth()), d} : new long[] {d};
    }

    /**
     * The number of tokens per image of a preprocessed size.
     *
     * @param height preprocessed height {@code H}
     * @param width preprocessed width {@code W}
     * @return {@code T = N} or {@code c + R + N} with the prefix, {@code N = (H / P)·(W / P)}
     */
    public int tokenCount(int height, int width) {
        ViTConfig c = model.getConfig();
        int n = (height / c.architecture().patchSize()) * (width / c.architecture().patchSize());
        return n + (includePrefix ? c.architecture().prefixTokens() : 0);
    }

    /**
     * The embedded tokens of an image file: the tokens the encoder reads.
     *
     * @param path the file
     * @return {@code (T, D)}
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public float[][] embedded(Path path) throws ImageLoadException {
        return embedded(List.of(model.preprocess(path))).get(0);
    }

    /**
     * The embedded tokens of preprocessed images of any sizes.
     *
     * @param images model inputs {@code (C, H, W)}
     * @return {@code (T, D)} per image, in input order
     */
    public List<float[][]> embedded(List<PreprocessedImage> images) {
        return embed(images, TokenKind.EMBEDDED).stream().map(Embedding::rows).toList();
    }

    /**
     * The encoded tokens of an image file: tokens after the encoder and its final norm.
     *
     * @param path the file
     * @return {@code (T, D)}
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public float[][] encoded(Path path) throws ImageLoadException {
        return encoded(List.of(model.preprocess(path))).get(0);
    }

    /**
     * Encoded tokens of preprocessed images of any sizes.
     *
     * @param images model inputs {@code (C, H, W)}
     * @return {@code (T, D)} per image, in input order
     */
    public List<float[][]> encoded(List<PreprocessedImage> images) {
        return embed(images, TokenKind.ENCODED).stream().map(Embedding::rows).toList();
    }

    /**
     * The pooled vector of an image file, the head's input (the head is not run); equals {@link
     * Classification#pooled()}.
     *
     * @param path the file
     * @return {@code (D)}
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public float[] pooled(Path path) throws ImageLoadException {
        return pooled(List.of(model.preprocess(path))).get(0);
    }

    /**
     * Pooled vectors of preprocessed images of any sizes.
     *
     * @param images model inputs {@code (C, H, W)}
     * @return {@code (D)} per image, in input order
     */
    public List<float[]> pooled(List<PreprocessedImage> images) {
        return embed(images, TokenKind.POOLED).stream().map(Embedding::values).toList();
    }

    /**
     * One kind of output for preprocessed images of any sizes: one forward pass per size.
     *
     * @param images model inputs {@code (C, H, W)}
     * @param kind which output
     * @return one embedding per image, in input order
     */
    public List<Embedding> embed(List<PreprocessedImage> images, TokenKind kind) {
        return Batch.bySize(images, group -> embedSameSize(group, kind));
    }

    /**
     * One kind of output for preprocessed images of one size, into an array the caller owns.
     *
     * @param manager receives the result (and nothing else); the caller closes it
     * @param images model inputs {@code (C, H, W)}, at least one, all of one size
     * @param kind which output
     * @return {@code (B, D)} or {@code (B, T, D)} attached to {@code manager}
     * @throws IllegalArgumentException if the list is empty or the sizes differ
     */
    public NDArray compute(NDManager manager, List<PreprocessedImage> images, TokenKind kind) {
        Batch batch = Batch.of(images);
        try (NDManager m = model.newManager()) {
            NDArray t = run(m.create(batch.data(), batch.shape()), kind);
            t.attach(manager);
            return t;
        }
    }

    /**
     * One kind of output for a batch that already is an array. Intermediate results live in a
     * manager of the call; only the result joins the images' manager.
     *
     * @param images {@code (B, C, H, W)}, normalized, H and W multiples of P
     * @param kind which output
     * @return {@code (B, D)} or {@code (B, T, D)} in {@code images.getManager()}
     */
    public NDArray compute(NDArray images, TokenKind kind) {
        NDManager owner = images.getManager();
        try (NDManager m = model.newManager()) {
            images.tempAttach(m); // back to its owner when m closes
            NDArray t = run(images, kind);
            t.attach(owner);
            return t;
        }
    }

    private List<Embedding> embedSameSize(List<PreprocessedImage> images, TokenKind kind) {
        Batch batch = Batch.of(images);
        try (NDManager m = model.newManager()) {
            NDArray t = run(m.create(batch.data(), batch.shape()), kind); // (B, D) or (B, T, D)
            Shape s = t.getShape();
            int b = (int) s.get(0);
            int tokens = kind.isTokens() ? (int) s.get(1) : 1;
            int d = (int) s.get(s.dimension() - 1);
            float[] flat = t.toFloatArray();
            int per = tokens * d;
            List<Embedding> out = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                out.add(new Embedding(kind, tokens, d, Arrays.copyOfRange(flat, i * per, (i + 1) * per)));
            }
            return out;
        }
    }

    /** Runs the forward's method for {@code kind}; every result belongs to the images' manager. */
    private NDArray run(NDArray images, TokenKind kind) {
        NDArray x = switch (kind) {
            case POOLED -> model.getForward().pooled(images); // (B, D)
            case ENCODED -> model.getForward().encoded(images); // (B, c + R + N, D)
            case EMBEDDED -> model.getForward().embed(images); // (B, c + R + N, D)
        };
        int prefix = model.getConfig().architecture().prefixTokens();
        if (!kind.isTokens() || includePrefix || prefix == 0) {
            return x;
        }
        return x.get(":, {}:, :", prefix); // (B, N, D)
    }
}
