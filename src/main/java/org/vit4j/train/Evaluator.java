package org.vit4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;

/**
 * Evaluates a model on a labelled data set, optionally with every image scrambled. An image that
 * cannot be read is skipped and named in {@link EvalResult#skipped()}; the rest are counted.
 */
public final class Evaluator {

    private Evaluator() {}

    /**
     * Classifies every image and counts.
     *
     * @param model the model
     * @param data the data set
     * @param batchSize images per forward pass
     * @param scramble shuffle grid for scrambling each image (its own seeded permutation), or null
     * @param seed seed of the scrambling permutations
     * @param progress called with the number of images done after each batch (may be null)
     * @return confusion matrix and loss
     */
    public static EvalResult evaluate(
            VitModel model, ImageDataset data, int batchSize, ShuffleGrid scramble, long seed,
            IntConsumer progress) {
        return evaluate(InferenceForward.eager(model), data, batchSize, scramble, seed, progress);
    }

    /**
     * Classifies every image with an inference forward (compiled or eager) and counts.
     *
     * @param forward the forward
     * @param data the data set
     * @param batchSize images per forward pass
     * @param scramble shuffle grid for scrambling each image (its own seeded permutation), or null
     * @param seed seed of the scrambling permutations
     * @param progress called with the number of images done after each batch (may be null)
     * @return confusion matrix and loss
     */
    public static EvalResult evaluate(
            InferenceForward forward, ImageDataset data, int batchSize, ShuffleGrid scramble, long seed,
            IntConsumer progress) {
        return evaluate(forward, forward.model().getConfig().preprocessor(), data, batchSize, scramble, seed, progress);
    }

    /**
     * Classifies every image, brought to the model by another preprocessor than its own, and
     * counts: e.g. at another image size, where the model's position embedding follows the new
     * patch grid (sin-cos and rotary tables recomputed, a learned table resampled).
     *
     * @param model the model (run on its eager blocks)
     * @param pre turns each image into the model's input {@code (C, H, W)}
     * @param data the data set
     * @param batchSize images per forward pass
     * @param scramble shuffle grid for scrambling each image (its own seeded permutation), or null
     * @param seed seed of the scrambling permutations
     * @param progress called with the number of images done after each batch (may be null)
     * @return confusion matrix and loss
     */
    public static EvalResult evaluate(
            VitModel model, ImagePreprocessor pre, ImageDataset data, int batchSize, ShuffleGrid scramble,
            long seed, IntConsumer progress) {
        return evaluate(InferenceForward.eager(model), pre, data, batchSize, scramble, seed, progress);
    }

    /**
     * Classifies every image with an inference forward and another preprocessor than the model's.
     *
     * @param forward the forward (compiled or eager)
     * @param pre turns each image into the model's input {@code (C, H, W)}
     * @param data the data set
     * @param batchSize images per forward pass
     * @param scramble shuffle grid for scrambling each image (its own seeded permutation), or null
     * @param seed seed of the scrambling permutations
     * @param progress called with the number of images done after each batch (may be null)
     * @return confusion matrix and loss
     */
    public static EvalResult evaluate(
            InferenceForward forward, ImagePreprocessor pre, ImageDataset data, int batchSize, ShuffleGrid scramble,
            long seed, IntConsumer progress) {
        VitModel model = forward.model();
        int k = model.getConfig().architecture().numClasses();
        long[][] confusion = new long[k][k];
        double lossSum = 0;
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int done = 0;
        long top5 = 0;
        List<String> skipped = new ArrayList<>();
        try (BatchLoader loader = new BatchLoader(data, order, batchSize, pre, Augment.NONE, seed, 0, scramble)) {
            while (loader.hasNext()) {
                BatchLoader.Batch b = loader.next();
                skipped.addAll(b.skipped());
                if (b.size() == 0) {
                    if (progress != null) {
                        progress.accept(done + skipped.size());
                    }
                    continue;
                }
                try (NDManager m = model.newManager()) {
                    NDArray x = m.create(b.images(), new Shape(b.size(), b.channels(), b.height(), b.width()));
                    NDArray logits = forward.forward(x).get(0); // (B, K)
                    NDArray logp = logits.logSoftmax(1);
                    float[] lp = logp.toFloatArray();
                    long[] pred = logits.argMax(1).toLongArray();
                    for (int i = 0; i < b.size(); i++) {
                        int y = b.labels()[i];
                        confusion[y][(int) pred[i]]++;
                        lossSum -= lp[i * k + y];
                        top5 += rank(lp, i * k, k, y) < 5 ? 1 : 0;
                    }
                }
                done += b.size();
                if (progress != null) {
                    progress.accept(done + skipped.size());
                }
            }
        }
        return new EvalResult(data.labels(), confusion, done == 0 ? 0 : lossSum / done,
                scramble == null ? null : scramble.toString(), top5, List.copyOf(skipped));
    }

    /**
     * Class {@code y}'s place in row {@code (off .. off + k)} sorted by score, 0 = top-1: the
     * classes scored above it, and those tied with it at a lower index (argmax's tie-break).
     */
    static int rank(float[] scores, int off, int k, int y) {
        int above = 0;
        float s = scores[off + y];
        for (int j = 0; j < k; j++) {
            above += scores[off + j] > s || (j < y && scores[off + j] == s) ? 1 : 0;
        }
        return above;
    }
}
