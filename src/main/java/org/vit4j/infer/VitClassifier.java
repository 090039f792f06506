package org.vit4j.infer;

import ai.djl.Device;
import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
import org.vit4j.model.VitModel;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/**
 * Classifies images with a vit4j model: file, {@link BufferedImage}, DJL {@link Image} or
 * preprocessed {@code (C, H, W)} array in; top-k labels, logits {@code (K)} and the pooled
 * embedding {@code (D)} out ({@link Classification}); {@link #embed} gives the embedding alone.
 * Owns the model's native memory: close it; a closed classifier throws
 * {@link IllegalStateException} on every call.
 *
 * <p>The forward runs compiled ({@link org.vit4j.compiled.CompiledVit}, fp32 unless the builder
 * says otherwise) where the model's config allows it, else on the eager blocks; {@link #getForward}
 * says which and why.
 *
 * <p>Safe to call from many threads at once: the weights are shared read-only and every call
 * works in its own {@link NDManager}; no array outlives the call.
 *
 * <pre>{@code
 * try (VitClassifier clf = VitClassifier.builder().setModelDirectory(Path.of("models/my-vit"))
 *         .optPrecision(Precision.AUTO).build()) {
 *     Classification c = clf.classify(Path.of("shirt.png"), 3);
 *     System.out.println(c.best().label() + " " + c.best().probability());
 * }
 * }</pre>
 */
public final class VitClassifier implements AutoCloseable {

    private final VitModel model;
    private final InferenceForward forward;
    private final ImagePreprocessor preprocessor;
    private final ImageLoader loader;
    private volatile boolean closed;

    /**
     * Wraps a loaded model with the default forward: compiled, fp32 (the classifier takes
     * ownership of the model and closes it).
     *
     * @param model the model
     */
    public VitClassifier(VitModel model) {
        this(model, ImageLoader.builder().optChannels(model.getConfig().getChannels()).build());
    }

    /**
     * Wraps a loaded model with a loader of one's own (e.g. another pixel limit or background),
     * with the default forward.
     *
     * @param model the model (the classifier takes ownership and closes it)
     * @param loader decodes files; its channels must be the model's
     * @throws IllegalArgumentException if the loader's channels differ from the model's
     */
    public VitClassifier(VitModel model, ImageLoader loader) {
        this(model, loader, ForwardEngine.COMPILED, Precision.FP32);
    }

    private VitClassifier(VitModel model, ImageLoader loader, ForwardEngine engine, Precision precision) {
        ViTConfig c = model.getConfig();
        if (loader.getChannels() != c.getChannels()) {
            throw new IllegalArgumentException("loader gives " + loader.getChannels()
                    + " channel(s), the model reads " + c.getChannels());
        }
        this.model = model;
        try {
            this.forward = InferenceForward.of(model, engine, precision);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        this.preprocessor = c.preprocessor();
        this.loader = loader;
    }

    /** @return a builder choosing the model, device, engine and precision */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads a model directory.
     *
     * @param dir the directory
     * @param device device
     * @return the classifier
     * @throws IOException if the model cannot be loaded
     */
    public static VitClassifier load(Path dir, Device device) throws IOException {
        return new VitClassifier(VitModel.load(dir, device));
    }

    /**
     * Loads the bundled Fashion-MNIST model.
     *
     * @param device device
     * @return the classifier
     * @throws IOException if the jar has no bundled model
     */
    public static VitClassifier bundled(Device device) throws IOException {
        return new VitClassifier(VitModel.load(BundledModel.files(), device));
    }

    /**
     * Loads a model from any source.
     *
     * @param files model files
     * @param device device
     * @return the classifier
     * @throws IOException if the model cannot be loaded
     */
    public static VitClassifier load(ModelFiles files, Device device) throws IOException {
        return new VitClassifier(VitModel.load(files, device));
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

    /** @return the loader matching the model's channels */
    public ImageLoader getLoader() {
        return loader;
    }

    /**
     * Decodes and preprocesses a file.
     *
     * @param path an image file
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException naming the file and the reason
     */
    public PreprocessedImage preprocess(Path path) throws ImageLoadException {
        BufferedImage img = loader.load(path);
        return preprocessor.apply(img, path.toString());
    }

    /**
     * Classifies one image file.
     *
     * @param path the file
     * @param topK how many classes to list
     * @return the classification
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public Classification classify(Path path, int topK) throws ImageLoadException {
        return classify(List.of(preprocess(path)), topK).get(0);
    }

    /**
     * Classifies one decoded picture.
     *
     * @param image the picture
     * @param topK how many classes to list
     * @return the classification
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public Classification classify(BufferedImage image, int topK) throws ImageLoadException {
        return classify(List.of(preprocessor.apply(image)), topK).get(0);
    }

    /**
     * Scrambles a preprocessed image's blocks (see {@link Scrambler}).
     *
     * @param image model input
     * @param grid shuffle grid
     * @param seed permutation seed
     * @return the scrambled input
     */
    public static PreprocessedImage scramble(PreprocessedImage image, ShuffleGrid grid, long seed) {
        float[] x = Scrambler.apply(image.data(), image.channels(), image.height(), image.width(),
                grid, Scrambler.permutation(grid.size(), seed));
        return new PreprocessedImage(x, image.channels(), image.height(), image.width());
    }

    /**
     * Classifies a DJL image (from any {@code ImageFactory}) with the model's own preprocessing.
     *
     * @param image the picture
     * @param topK how many classes to list
     * @return the classification
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public Classification classify(Image image, int topK) throws ImageLoadException {
        return classify(List.of(preprocessor.apply(picture(image))), topK).get(0);
    }

    /**
     * Classifies preprocessed images: one forward pass per image size (sizing policies {@code pad}
     * and {@code strict} keep an image's own size), so the result of an image never depends on the
     * others.
     *
     * @param images model inputs
     * @param topK how many classes to list, 1..K
     * @return one classification per image, in order
     */
    public List<Classification> classify(List<PreprocessedImage> images, int topK) {
        checkTopK(topK);
        if (images.isEmpty()) {
            return List.of();
        }
        return Batch.bySize(images, group -> {
            Batch batch = Batch.of(group);
            return classify(batch.data(), batch.shape(), topK);
        });
    }

    /**
     * Classifies a preprocessed batch given as a flat array.
     *
     * @param nchw the batch, row-major
     * @param shape {@code (B, C, H, W)}
     * @param topK how many classes to list
     * @return one classification per row
     */
    public List<Classification> classify(float[] nchw, Shape shape, int topK) {
        checkTopK(topK);
        int k = model.getConfig().getNumClasses();
        try (NDManager m = newManager()) {
            NDArray x = m.create(nchw, shape);
            NDList out = forward.forward(x);
            float[] logits = out.get(0).toFloatArray(); // (B, K)
            float[] probs = out.get(0).softmax(1).toFloatArray();
            float[] pooled = out.get(1).toFloatArray(); // (B, D)
            int d = (int) out.get(1).getShape().get(1);
            List<Classification> result = new ArrayList<>();
            for (int b = 0; b < shape.get(0); b++) {
                result.add(new Classification(
                        top(probs, b * k, k, topK),
                        Arrays.copyOfRange(logits, b * k, (b + 1) * k),
                        Arrays.copyOfRange(pooled, b * d, (b + 1) * d)));
            }
            return result;
        }
    }

    /**
     * The pooled embedding of an image file: the feature vector {@code (D)} the head reads (the
     * class token or the mean patch token after the encoder), for search or clustering. Equals
     * {@link Classification#embedding()} of {@link #classify(Path, int)}.
     *
     * @param path the file
     * @return the embedding {@code (D)}
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public float[] embed(Path path) throws ImageLoadException {
        return embed(List.of(preprocess(path))).get(0);
    }

    /**
     * The pooled embedding of a decoded picture.
     *
     * @param image the picture
     * @return the embedding {@code (D)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public float[] embed(BufferedImage image) throws ImageLoadException {
        return embed(List.of(preprocessor.apply(image))).get(0);
    }

    /**
     * The pooled embedding of a DJL image.
     *
     * @param image the picture
     * @return the embedding {@code (D)}
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public float[] embed(Image image) throws ImageLoadException {
        return embed(List.of(preprocessor.apply(picture(image)))).get(0);
    }

    /**
     * Pooled embeddings of preprocessed images of one size in one forward pass (the head is not run).
     *
     * @param images model inputs {@code (C, H, W)}
     * @return one embedding {@code (D)} per image, in order
     */
    public List<float[]> embed(List<PreprocessedImage> images) {
        if (images.isEmpty()) {
            return List.of();
        }
        Batch batch = Batch.of(images);
        try (NDManager m = newManager()) {
            NDArray x = m.create(batch.data(), batch.shape()); // (B, C, H, W)
            NDArray pooled = forward.pooled(x); // (B, D)
            int d = (int) pooled.getShape().get(1);
            float[] flat = pooled.toFloatArray();
            List<float[]> result = new ArrayList<>();
            for (int b = 0; b < batch.shape().get(0); b++) {
                result.add(Arrays.copyOfRange(flat, b * d, (b + 1) * d));
            }
            return result;
        }
    }

    private BufferedImage picture(Image image) {
        try (NDManager m = newManager()) {
            return DjlImages.toBufferedImage(image, m);
        }
    }

    /**
     * Classifies image files, decoded in order; images of different sizes (policies {@code pad},
     * {@code strict}) go through in separate forward passes.
     *
     * @param paths the files
     * @param topK how many classes to list, 1..K
     * @return one classification per file, in order
     * @throws ImageLoadException for the first file that cannot be read as an image
     */
    public List<Classification> classifyFiles(List<Path> paths, int topK) throws ImageLoadException {
        List<PreprocessedImage> in = new ArrayList<>();
        for (Path p : paths) {
            in.add(preprocess(p));
        }
        return classify(in, topK);
    }

    /**
     * Classifies decoded pictures, each with the model's preprocessing.
     *
     * @param images the pictures
     * @param topK how many classes to list, 1..K
     * @return one classification per picture, in order
     * @throws ImageLoadException if a picture's size is refused by the sizing policy
     */
    public List<Classification> classifyImages(List<BufferedImage> images, int topK) throws ImageLoadException {
        List<PreprocessedImage> in = new ArrayList<>();
        for (BufferedImage b : images) {
            in.add(preprocessor.apply(b));
        }
        return classify(in, topK);
    }

    private NDManager newManager() {
        if (closed) {
            throw new IllegalStateException("this VitClassifier is closed");
        }
        return model.newManager();
    }

    private void checkTopK(int topK) {
        int k = model.getConfig().getNumClasses();
        if (topK < 1 || topK > k) {
            throw new IllegalArgumentException("top-k " + topK + " must be between 1 and the " + k + " classes");
        }
    }

    private List<Prediction> top(float[] probs, int off, int k, int topK) {
        Integer[] idx = new Integer[k];
        for (int i = 0; i < k; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -probs[off + i]).thenComparingInt(i -> i));
        List<String> labels = model.getLabels();
        List<Prediction> top = new ArrayList<>();
        for (int i = 0; i < topK; i++) {
            top.add(new Prediction(labels.get(idx[i]), idx[i], probs[off + idx[i]]));
        }
        return top;
    }

    @Override
    public void close() {
        closed = true;
        forward.close();
        model.close();
    }

    /** Builds a {@link VitClassifier}: one {@code setModel...} is required, {@code opt} methods have defaults. */
    public static final class Builder extends FacadeBuilder<Builder> {
        private ImageLoader loader;

        private Builder() {}

        /**
         * How files are decoded (e.g. another pixel limit or background).
         *
         * @param loader default {@code ImageLoader.builder().optChannels(the model's channels)}; its
         *     channels must be the model's
         * @return this
         */
        public Builder optLoader(ImageLoader loader) {
            this.loader = loader;
            return this;
        }

        /**
         * Loads (if needed) and compiles.
         *
         * @return the classifier
         * @throws IOException if the model files cannot be loaded
         * @throws IllegalArgumentException if no or two models are given, an option is null, or bf16
         *     is asked of the eager path
         */
        public VitClassifier build() throws IOException {
            VitModel m = checkedModel();
            return new VitClassifier(m,
                    loader != null ? loader : ImageLoader.builder().optChannels(m.getConfig().getChannels()).build(),
                    engine, precision);
        }
    }
}
