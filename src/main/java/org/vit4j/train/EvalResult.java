package org.vit4j.train;

import java.util.List;

/**
 * Accuracy of a model on a labelled data set.
 *
 * @param labels class names
 * @param confusion {@code confusion[true][predicted]} counts
 * @param loss mean cross-entropy (no smoothing)
 * @param scrambleGrid the shuffle grid the images were scrambled with, or null
 * @param top5Correct images whose true class is among the five highest logits (timm's top-5;
 *     all of them when the model has at most five classes)
 * @param skipped the images that could not be read, each {@code NAME: REASON}, in data order;
 *     they are in no count
 */
public record EvalResult(List<String> labels, long[][] confusion, double loss, String scrambleGrid, long top5Correct,
        List<String> skipped) {

    /**
     * A result with no image skipped.
     *
     * @param labels class names
     * @param confusion {@code confusion[true][predicted]} counts
     * @param loss mean cross-entropy
     * @param scrambleGrid the shuffle grid, or null
     * @param top5Correct images whose true class is among the five highest logits
     */
    public EvalResult(List<String> labels, long[][] confusion, double loss, String scrambleGrid, long top5Correct) {
        this(labels, confusion, loss, scrambleGrid, top5Correct, List.of());
    }

    /** @return images evaluated */
    public long total() {
        long n = 0;
        for (long[] row : confusion) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    /** @return fraction classified correctly */
    public double accuracy() {
        long ok = 0;
        for (int i = 0; i < confusion.length; i++) {
            ok += confusion[i][i];
        }
        long n = total();
        return n == 0 ? 0 : (double) ok / n;
    }

    /** @return fraction whose true class is among the five most probable (top-5 accuracy) */
    public double top5Accuracy() {
        long n = total();
        return n == 0 ? 0 : (double) top5Correct / n;
    }

    /** @return per-class accuracy (recall); NaN for a class with no images */
    public double[] perClassAccuracy() {
        double[] acc = new double[confusion.length];
        for (int i = 0; i < confusion.length; i++) {
            long n = 0;
            for (long c : confusion[i]) {
                n += c;
            }
            acc[i] = n == 0 ? Double.NaN : (double) confusion[i][i] / n;
        }
        return acc;
    }
}
