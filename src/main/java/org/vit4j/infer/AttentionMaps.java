package org.vit4j.infer;

import java.awt.image.BufferedImage;
import org.vit4j.image.PreprocessedImage;

/**
 * The attention probabilities of one image in every block and head of a model, with the input they
 * were computed from: {@code softmax(q·kᵀ / sqrt(hd))}, one {@code (T, T)} matrix per layer and head,
 * rows the queries, columns the keys, each row summing to 1.
 *
 * <ul>
 *   <li>{@link #values()}: {@code (L, H, T, T)} float32, row-major, {@code T = prefix + N} tokens in
 *       the model's order, {@code [cls][reg_0..reg_R-1][patch_0..patch_N-1]} (the order of the
 *       encoded tokens with their prefix), patches in row-major grid order.
 *   <li>{@link #input()}: the model input {@code (C, H, W)} the maps are of (scrambled, when it was),
 *       and {@link #shown()} the same in {@code [0, 1]} for pictures.
 * </ul>
 *
 * <p>Summaries for people: {@link #headMean} (a layer's heads averaged), {@link #rollout}
 * (attention rollout, Abnar &amp; Zuidema 2020) and {@link #pooledAttention} (what the pooled token
 * attends to among the patches: the class token's row, or for an average-pooled model the mean of
 * the patch tokens' rows); {@link #picture()} draws them.
 */
public final class AttentionMaps {

    private final int layers;
    private final int heads;
    private final int tokens;
    private final int prefix;
    private final int gridRows;
    private final int gridCols;
    private final int patchSize;
    private final boolean classQuery;
    private final float[] values;
    private final PreprocessedImage input;
    private final float[] shown;

    /**
     * The maps of one image.
     *
     * @param values {@code (L, H, T, T)}, row-major; not copied
     * @param layers L
     * @param heads H
     * @param prefix the class and register tokens before the patches ({@code T - N})
     * @param patchSize P
     * @param classQuery whether the model pools its class token (else the mean of the patch tokens)
     * @param input the model input {@code (C, H, W)} the maps are of
     * @param shown the input in {@code [0, 1]}, {@code (C, H, W)}, for pictures
     * @throws IllegalArgumentException if the sizes do not fit together, with the numbers
     */
    public AttentionMaps(float[] values, int layers, int heads, int prefix, int patchSize, boolean classQuery,
            PreprocessedImage input, float[] shown) {
        this.gridRows = input.height() / patchSize;
        this.gridCols = input.width() / patchSize;
        this.tokens = prefix + gridRows * gridCols;
        if ((long) layers * heads * tokens * tokens != values.length) {
            throw new IllegalArgumentException("attention maps have " + values.length + " values, expected (" + layers
                    + ", " + heads + ", " + tokens + ", " + tokens + ") for a " + gridRows + "x" + gridCols
                    + " grid and " + prefix + " prefix tokens");
        }
        if (shown.length != input.data().length) {
            throw new IllegalArgumentException("shown image has " + shown.length + " values, the input "
                    + input.data().length);
        }
        this.layers = layers;
        this.heads = heads;
        this.prefix = prefix;
        this.patchSize = patchSize;
        this.classQuery = classQuery;
        this.values = values;
        this.input = input;
        this.shown = shown;
    }

    /** @return {@code (L, H, T, T)} */
    public long[] shape() {
        return new long[] {layers, heads, tokens, tokens};
    }

    /** @return all probabilities {@code (L, H, T, T)}, row-major (the array itself: do not change it) */
    public float[] values() {
        return values;
    }

    /** @return L, the encoder blocks */
    public int layers() {
        return layers;
    }

    /** @return H, the heads per block */
    public int heads() {
        return heads;
    }

    /** @return T, the tokens (prefix and patches) */
    public int tokens() {
        return tokens;
    }

    /** @return the class and register tokens before the patches */
    public int prefix() {
        return prefix;
    }

    /** @return the patch grid's rows */
    public int gridRows() {
        return gridRows;
    }

    /** @return the patch grid's columns */
    public int gridCols() {
        return gridCols;
    }

    /** @return the patch size P in pixels */
    public int patchSize() {
        return patchSize;
    }

    /** @return whether the pooled token is the class token (else the mean of the patch tokens) */
    public boolean classQuery() {
        return classQuery;
    }

    /** @return the model input {@code (C, H, W)} the maps are of */
    public PreprocessedImage input() {
        return input;
    }

    /** @return the input in {@code [0, 1]}, {@code (C, H, W)} */
    public float[] shown() {
        return shown;
    }

    /**
     * One probability.
     *
     * @param layer block, from 0
     * @param head head, from 0
     * @param query query token
     * @param key key token
     * @return the attention of {@code query} on {@code key}
     */
    public float get(int layer, int head, int query, int key) {
        return values[((layer * heads + head) * tokens + query) * tokens + key];
    }

    /**
     * A layer's attention averaged over its heads.
     *
     * @param layer block, from 0
     * @return {@code (T, T)}, rows summing to 1
     */
    public float[][] headMean(int layer) {
        float[][] a = new float[tokens][tokens];
        for (int h = 0; h < heads; h++) {
            for (int i = 0; i < tokens; i++) {
                int at = ((layer * heads + h) * tokens + i) * tokens;
                for (int j = 0; j < tokens; j++) {
                    a[i][j] += values[at + j] / heads;
                }
            }
        }
        return a;
    }

    /**
     * Attention rollout (Abnar &amp; Zuidema 2020): per layer {@code Â = 0.5·A + 0.5·I} with A the
     * mean over heads and rows renormalized to sum 1 (the residual connection's share), multiplied
     * through the layers, {@code R = Â_L ··· Â_1}: row i says how much output token i draws on each
     * input token.
     *
     * @return {@code (T, T)}, rows summing to 1
     */
    public float[][] rollout() {
        double[][] r = null;
        for (int l = 0; l < layers; l++) {
            float[][] a = headMean(l);
            double[][] hat = new double[tokens][tokens];
            for (int i = 0; i < tokens; i++) {
                double sum = 0;
                for (int j = 0; j < tokens; j++) {
                    hat[i][j] = 0.5 * a[i][j] + (i == j ? 0.5 : 0);
                    sum += hat[i][j];
                }
                for (int j = 0; j < tokens; j++) {
                    hat[i][j] /= sum;
                }
            }
            r = r == null ? hat : multiply(hat, r);
        }
        float[][] out = new float[tokens][tokens];
        for (int i = 0; i < tokens && r != null; i++) {
            for (int j = 0; j < tokens; j++) {
                out[i][j] = (float) r[i][j];
            }
        }
        return out;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                double v = a[i][k];
                if (v == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    c[i][j] += v * b[k][j];
                }
            }
        }
        return c;
    }

    /**
     * What the pooled token attends to among the patches, in a {@code (T, T)} attention matrix (a
     * layer's {@link #headMean}, or the {@link #rollout}): the class token's row, or for an
     * average-pooled model the mean of the patch tokens' rows; the patch columns only.
     *
     * @param a {@code (T, T)}
     * @return {@code (N)}, in row-major grid order
     */
    public float[] pooledAttention(float[][] a) {
        int n = tokens - prefix;
        float[] out = new float[n];
        if (classQuery) {
            System.arraycopy(a[0], prefix, out, 0, n);
            return out;
        }
        for (int i = prefix; i < tokens; i++) {
            for (int j = 0; j < n; j++) {
                out[j] += a[i][prefix + j] / n;
            }
        }
        return out;
    }

    /**
     * The picture of these maps ({@link AttentionPicture#render}): the input, then per layer the
     * pooled token's attention to the patches (mean over heads) as a heat map over it, then the
     * rollout's.
     *
     * @return the picture
     */
    public BufferedImage picture() {
        return AttentionPicture.render(this);
    }
}
