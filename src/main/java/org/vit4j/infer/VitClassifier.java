package org.vit4j.infer;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.PreprocessedImage;

/**
 * The classifier view of an {@link InferenceModel}: file, {@link BufferedImage}, DJL {@link Image}
 * or preprocessed {@code (C, H, W)} image in; top-k labels, logits {@code (K)} and the pooled
 * vector {@code (D)} out ({@link Classification}). Runs the model's forward (compiled or eager,
 * {@link InferenceModel#getForward}).
 *
 * <p>A view owns nothing: it is valid while its model is open, and is as thread-safe as the model.
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.load(Path.of("models/my-vit"), Device.cpu())) {
 *     Classification c = model.classifier().classify(Path.of("shirt.png"), 3);
 *     System.out.println(c.best().label() + " " + c.best().probability());
 * }
 * }</pre>
 */
public final class VitClassifier {

    private final InferenceModel model;

    /**
     * The view of a model; {@link InferenceModel#classifier()} is the usual way to get one.
     *
     * @param model the model (not owned)
     */
    VitClassifier(InferenceModel model) {
        this.model = model;
    }

    /** @return the model this view runs */
    public InferenceModel getModel() {
        return model;
    }

    /** @return the class labels, index order ({@code K}) */
    public List<String> getLabels() {
        return model.getModel().getLabels();
    }

    /**
     * Classifies one image file.
     *
     * @param path the file
     * @param topK how many classes to list, 1..K
     * @return the classification
     * @throws ImageLoadException if the file cannot be read as an image
     */
    public Classification classify(Path path, int topK) throws ImageLoadException {
        return classify(List.of(model.preprocess(path)), topK).get(0);
    }

    /**
     * Classifies one decoded picture.
     *
     * @param image the picture
     * @param topK how many classes to list, 1..K
     * @return the classification
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public Classification classify(BufferedImage image, int topK) throws ImageLoadException {
        return classify(List.of(model.preprocess(image)), topK).get(0);
    }

    /**
     * Classifies a DJL image (from any {@code ImageFactory}) with the model's own preprocessing.
     *
     * @param image the picture
     * @param topK how many classes to list, 1..K
     * @return the classification
     * @throws ImageLoadException if the picture's size is refused by the sizing policy
     */
    public Classification classify(Image image, int topK) throws ImageLoadException {
        return classify(List.of(model.preprocess(image)), topK).get(0);
    }

    /**
     * Classifies preprocessed images of any sizes: one forward pass per size (sizing policies {@code
     * pad} and {@code strict} keep an image's own size), so the result of an image never depends on
     * the others.
     *
     * @param images model inputs {@code (C, H, W)}
     * @param topK how many classes to list, 1..K
     * @return one classification per image, in input order
     */
    public List<Classification> classify(List<PreprocessedImage> images, int topK) {
        checkTopK(topK);
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
     * @param topK how many classes to list, 1..K
     * @return one classification per row
     */
    public List<Classification> classify(float[] nchw, Shape shape, int topK) {
        checkTopK(topK);
        int k = model.getConfig().architecture().numClasses();
        try (NDManager m = model.newManager()) {
            NDArray x = m.create(nchw, shape);
            NDList out = model.getForward().forward(x);
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

    private void checkTopK(int topK) {
        int k = model.getConfig().architecture().numClasses();
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
        List<String> labels = getLabels();
        List<Prediction> top = new ArrayList<>();
        for (int i = 0; i < topK; i++) {
            top.add(new Prediction(labels.get(idx[i]), idx[i], probs[off + idx[i]]));
        }
        return top;
    }
}
