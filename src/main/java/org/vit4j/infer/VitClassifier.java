package org.vit4j.infer;

import ai.djl.Device;
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
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/**
 * Classifies images with a vit4j model: file or picture in, top-k labels, logits and the pooled
 * embedding out. Owns the model's native memory: close it.
 *
 * <p>Safe to call from many threads at once: the weights are shared read-only and every call
 * works in its own {@link NDManager}; no array outlives the call.
 *
 * <pre>{@code
 * try (VitClassifier clf = VitClassifier.load(Path.of("models/my-vit"), Device.cpu())) {
 *     Classification c = clf.classify(Path.of("shirt.png"), 3);
 *     System.out.println(c.best().label() + " " + c.best().probability());
 * }
 * }</pre>
 */
public final class VitClassifier implements AutoCloseable {

    private final VitModel model;
    private final ImagePreprocessor preprocessor;
    private final ImageLoader loader;

    /**
     * Wraps a loaded model (the classifier takes ownership and closes it).
     *
     * @param model the model
     */
    public VitClassifier(VitModel model) {
        this.model = model;
        ViTConfig c = model.getConfig();
        this.preprocessor = c.preprocessor();
        this.loader = ImageLoader.builder().optChannels(c.getChannels()).build();
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
     * Classifies preprocessed images in one forward pass (they must share one size).
     *
     * @param images model inputs
     * @param topK how many classes to list, 1..K
     * @return one classification per image, in order
     */
    public List<Classification> classify(List<PreprocessedImage> images, int topK) {
        int k = model.getConfig().getNumClasses();
        if (topK < 1 || topK > k) {
            throw new IllegalArgumentException("top-k " + topK + " must be between 1 and the " + k + " classes");
        }
        if (images.isEmpty()) {
            return List.of();
        }
        PreprocessedImage first = images.get(0);
        int per = first.data().length;
        float[] batch = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            PreprocessedImage p = images.get(i);
            if (p.channels() != first.channels() || p.height() != first.height() || p.width() != first.width()) {
                throw new IllegalArgumentException(
                        "images of one batch must share a size: " + first.height() + "x" + first.width()
                                + " and " + p.height() + "x" + p.width());
            }
            System.arraycopy(p.data(), 0, batch, i * per, per);
        }
        return classify(batch, new Shape(images.size(), first.channels(), first.height(), first.width()), topK);
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
        int k = model.getConfig().getNumClasses();
        try (NDManager m = model.newManager()) {
            NDArray x = m.create(nchw, shape);
            NDList out = model.forward(x);
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
        model.close();
    }
}
