package org.vit4j.infer;

import ai.djl.Device;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VisionTransformer;
import org.vit4j.model.VitModel;

/**
 * Turns images into the tokens a Vision Transformer's encoder reads: patch embeddings plus
 * position embeddings, the output of {@link VisionTransformer#embed} (before any encoder block).
 * Owns the model's native memory: close it; a closed encoder throws
 * {@link IllegalStateException} on every call.
 *
 * <ul>
 *   <li>Input: a file, a {@link BufferedImage}, a DJL {@link Image} (preprocessed with the model's
 *       own sizing and normalization), or an already preprocessed {@link PreprocessedImage}
 *       {@code (C, H, W)} — wrap a plain {@code float[]} with {@code new PreprocessedImage(chw, C,
 *       H, W)}; H and W must be multiples of the patch size {@code P}.
 *   <li>Output per image: {@code (T, D)} with {@code D} the model width and {@code T = N =
 *       (H / P)·(W / P)} patch tokens in row-major patch order, or, if the encoder keeps the prefix,
 *       {@code T = c + R + N}: the class token ({@code c} = 0 or 1) and the {@code R} register tokens
 *       first, as in the model ({@code [cls][reg_0..reg_R-1][patch_0..patch_N-1]}).
 *   <li>Batches: {@code (B, T, D)}, as {@code float[B][T][D]} or as an {@link NDArray} in a manager
 *       the caller owns.
 * </ul>
 *
 * <p>The tokens come from the compiled forward's {@code embed} (fp32 unless the builder says
 * otherwise) where the config compiles, else from the eager blocks ({@link #getForward}).
 *
 * <p>Safe to call from many threads at once: the weights are shared read-only and every call works
 * in its own {@link NDManager}; the only arrays that outlive a call are those returned into the
 * caller's manager.
 *
 * <pre>{@code
 * try (PatchEncoder enc = PatchEncoder.load(Path.of("models/my-vit"), Device.cpu(), false)) {
 *     float[][] tokens = enc.encode(Path.of("shirt.png")); // (N, D)
 * }
 * }</pre>
 */
public final class PatchEncoder implements AutoCloseable {

    private final VitModel model;
    private final InferenceForward forward;
    private final boolean includePrefix;
    private final ImagePreprocessor preprocessor;
    private final ImageLoader loader;
    private volatile boolean closed;

    /**
     * Wraps a loaded model, keeping only the patch tokens (the encoder takes ownership of the model
     * and closes it).
     *
     * @param model the model
     */
    public PatchEncoder(VitModel model) {
        this(model, false);
    }

    /**
     * Wraps a loaded model (the encoder takes ownership and closes it).
     *
     * @param model the model
     * @param includePrefix whether the class and register tokens come first in the output
     *     ({@code T = c + R + N}) or are dropped ({@code T = N})
     */
    public PatchEncoder(VitModel model, boolean includePrefix) {
        this(model, includePrefix, ForwardEngine.COMPILED, Precision.FP32);
    }

    private PatchEncoder(VitModel model, boolean includePrefix, ForwardEngine engine, Precision precision) {
        this.model = model;
        try {
            this.forward = InferenceForward.of(model, engine, precision);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.includePrefix = includePrefix;
        ViTConfig c = model.getConfig();
        this.preprocessor = c.preprocessor();
        this.loader = ImageLoader.builder().optChannels(c.getChannels()).build();
    }

    /**
     * Loads a model directory.
     *
     * @param dir the directory
     * @param device device
     * @param includePrefix whether the class and register tokens are kept
     * @return the encoder
     * @throws IOException if the model cannot be loaded
     */
    public static PatchEncoder load(Path dir, Device device, boolean includePrefix) throws IOException {
        return new PatchEncoder(VitModel.load(dir, device), includePrefix);
    }

    /**
     * Loads a model from any source (a directory, the classpath).
     *
     * @param files model files
     * @param device device
     * @param includePrefix whether the class and register tokens are kept
     * @return the encoder
     * @throws IOException if the model cannot be loaded
     */
    public static PatchEncoder load(ModelFiles files, Device device, boolean includePrefix) throws IOException {
        return new PatchEncoder(VitModel.load(files, device), includePrefix);
    }

    /**
     * Loads the bundled Fashion-MNIST model.
     *
     * @param device device
     * @param includePrefix whether the class and register tokens are kept
     * @return the encoder
     * @throws IOException if the jar has no bundled model
     */
    public static PatchEncoder bundled(Device device, boolean includePrefix) throws IOException {
        return load(BundledModel.files(), device, includePrefix);
    }

    /** @return a builder choosing the model, device, prefix, engine and precision */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the model */
    public VitModel getModel() {
        return model;
    }

    /** @return the forward in use: engine and precision, with the reasons */
    public InferenceForward getForward() {
        return forward;
    }

    /** @return the preprocessor matching the model */
    public ImagePreprocessor getPreprocessor() {
        return preprocessor;
    }

    /** @return whether the output starts with the class and register tokens */
    public boolean includesPrefix() {
        return includePrefix;
    }

    /** @return the token width {@code D} */
    public int getWidth() {
        return model.getConfig().getWidth();
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
        int n = (height / c.getPatchSize()) * (width / c.getPatchSize());
        return n + (includePrefix ? c.getPrefixTokens() : 0);
    }

    /**
     * Decodes and preprocesses a file.
     *
     * @param path an image file
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException naming the file and the reason
     */
    public PreprocessedImage preprocess(Path path) throws ImageLoadException {
        return preprocessor.apply(loader.load(path), path.toString());
    }

    /**
     * Encodes an image file.
     *
     * @param path the file
     * @return tokens {@code (T, D)}
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public float[][] encode(Path path) throws ImageLoadException {
        return encode(preprocess(path));
    }

    /**
     * Encodes a decoded picture.
     *
     * @param image the picture (converted to the model's channels)
     * @return tokens {@code (T, D)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public float[][] encode(BufferedImage image) throws ImageLoadException {
        return encode(preprocessor.apply(image));
    }

    /**
     * Encodes a DJL image (from any {@code ImageFactory}).
     *
     * @param image the picture
     * @return tokens {@code (T, D)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public float[][] encode(Image image) throws ImageLoadException {
        BufferedImage picture;
        try (NDManager m = newManager()) {
            picture = DjlImages.toBufferedImage(image, m);
        }
        return encode(picture);
    }

    /**
     * Encodes a preprocessed image.
     *
     * @param image model input {@code (C, H, W)}, normalized, H and W multiples of P
     * @return tokens {@code (T, D)}
     */
    public float[][] encode(PreprocessedImage image) {
        return encode(List.of(image))[0];
    }

    /**
     * Encodes preprocessed images of one size in one forward pass.
     *
     * @param images model inputs {@code (C, H, W)}, all of one size
     * @return tokens {@code (B, T, D)}, one {@code (T, D)} per image in order
     */
    public float[][][] encode(List<PreprocessedImage> images) {
        if (images.isEmpty()) {
            return new float[0][][];
        }
        Batch batch = Batch.of(images);
        try (NDManager m = newManager()) {
            NDArray t = tokens(m.create(batch.data(), batch.shape())); // (B, T, D)
            Shape s = t.getShape();
            int b = (int) s.get(0);
            int n = (int) s.get(1);
            int d = (int) s.get(2);
            float[] flat = t.toFloatArray();
            float[][][] out = new float[b][n][d];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < n; j++) {
                    System.arraycopy(flat, (i * n + j) * d, out[i][j], 0, d);
                }
            }
            return out;
        }
    }

    /**
     * Encodes preprocessed images of one size into an array the caller owns.
     *
     * @param manager receives the result (and nothing else); the caller closes it
     * @param images model inputs {@code (C, H, W)}, at least one, all of one size
     * @return tokens {@code (B, T, D)} attached to {@code manager}
     */
    public NDArray encode(NDManager manager, List<PreprocessedImage> images) {
        Batch batch = Batch.of(images);
        try (NDManager m = newManager()) {
            NDArray t = tokens(m.create(batch.data(), batch.shape())); // (B, T, D)
            t.attach(manager);
            return t;
        }
    }

    /**
     * Encodes a batch that already is an array. Intermediate results live in a manager of the call;
     * only the result joins the images' manager.
     *
     * @param images {@code (B, C, H, W)}, normalized, H and W multiples of P
     * @return tokens {@code (B, T, D)} in {@code images.getManager()}
     */
    public NDArray encode(NDArray images) {
        NDManager owner = images.getManager();
        try (NDManager m = newManager()) {
            images.tempAttach(m); // back to its owner when m closes
            NDArray t = tokens(images); // (B, T, D)
            t.attach(owner);
            return t;
        }
    }

    /**
     * Encodes image files; images of different sizes (policies {@code pad}, {@code strict}) go
     * through in separate forward passes, so {@code T} may differ between them.
     *
     * @param paths the files
     * @return tokens {@code (T, D)} per file, in order
     * @throws ImageLoadException for the first file that cannot be read as an image
     */
    public float[][][] encodeFiles(List<Path> paths) throws ImageLoadException {
        List<PreprocessedImage> in = new ArrayList<>();
        for (Path p : paths) {
            in.add(preprocess(p));
        }
        return Batch.bySize(in, group -> List.of(encode(group))).toArray(new float[0][][]);
    }

    /**
     * Encodes decoded pictures, each with the model's preprocessing.
     *
     * @param images the pictures
     * @return tokens {@code (T, D)} per picture, in order
     * @throws ImageLoadException if a picture's size is refused by the sizing policy
     */
    public float[][][] encodeImages(List<BufferedImage> images) throws ImageLoadException {
        List<PreprocessedImage> in = new ArrayList<>();
        for (BufferedImage b : images) {
            in.add(preprocessor.apply(b));
        }
        return Batch.bySize(in, group -> List.of(encode(group))).toArray(new float[0][][]);
    }

    private NDManager newManager() {
        if (closed) {
            throw new IllegalStateException("this PatchEncoder is closed");
        }
        return model.newManager();
    }

    /** Runs {@link VisionTransformer#embed} (compiled or eager); every result belongs to the images' manager. */
    private NDArray tokens(NDArray images) {
        NDArray x = forward.embed(images); // (B, c + R + N, D)
        int prefix = model.getConfig().getPrefixTokens();
        if (includePrefix || prefix == 0) {
            return x;
        }
        return x.get(":, {}:, :", prefix); // (B, N, D)
    }

    @Override
    public void close() {
        closed = true;
        forward.close();
        model.close();
    }

    /** Builds a {@link PatchEncoder}: one {@code setModel...} is required, {@code opt} methods have defaults. */
    public static final class Builder extends FacadeBuilder<Builder> {
        private boolean includePrefix;

        private Builder() {}

        /**
         * Whether the class and register tokens come first in the output.
         *
         * @param includePrefix default false ({@code T = N})
         * @return this
         */
        public Builder optIncludePrefix(boolean includePrefix) {
            this.includePrefix = includePrefix;
            return this;
        }

        /**
         * Loads (if needed) and compiles.
         *
         * @return the encoder
         * @throws IOException if the model files cannot be loaded
         * @throws IllegalArgumentException if no or two models are given, an option is null, or bf16
         *     is asked of the eager path
         */
        public PatchEncoder build() throws IOException {
            return new PatchEncoder(checkedModel(), includePrefix, engine, precision);
        }
    }
}
