package org.vit4j.infer;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * The tokens or the pooled vector of one image ({@link VitEncoder#embed}), row-major.
 *
 * @param kind which of the three it is
 * @param tokens {@code T}, the number of tokens; 1 for {@link TokenKind#POOLED}
 * @param width {@code D}, the model width
 * @param values {@code T·D} values, token after token
 */
public record Embedding(TokenKind kind, int tokens, int width, float[] values) {

    /**
     * Checks the sizes.
     *
     * @param kind which of the three it is
     * @param tokens {@code T}
     * @param width {@code D}
     * @param values {@code T·D} values
     * @throws IllegalArgumentException if the values are not {@code T·D}, or a pooled vector has {@code T != 1}
     */
    public Embedding {
        if (values.length != (long) tokens * width || (kind == TokenKind.POOLED && tokens != 1)) {
            throw new IllegalArgumentException(kind.cliName() + " embedding of " + tokens + " x " + width
                    + " has " + values.length + " values");
        }
    }

    /** @return the shape: {@code (D)} for {@link TokenKind#POOLED}, else {@code (T, D)} */
    public long[] shape() {
        return kind.isTokens() ? new long[] {tokens, width} : new long[] {width};
    }

    /** The values shown by {@link #toString()}; the rest are elided. */
    private static final int SHOWN = 4;

    /**
     * Equal kind, sizes and values (a record's own {@code equals} would compare the arrays by identity).
     *
     * @param o another object
     * @return whether it is the same embedding
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Embedding e && kind == e.kind && tokens == e.tokens && width == e.width
                && Arrays.equals(values, e.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, tokens, width) * 31 + Arrays.hashCode(values);
    }

    /**
     * The kind, the shape and the first values, e.g.
     * {@code Embedding[pooled (192), values=[0.1250, -0.5000, 2.0000, 0.0000, ... 188 more]]}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Embedding[").append(kind.cliName()).append(" (");
        long[] shape = shape();
        for (int i = 0; i < shape.length; i++) {
            b.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        b.append("), values=[");
        for (int i = 0; i < Math.min(SHOWN, values.length); i++) {
            b.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", values[i]));
        }
        if (values.length > SHOWN) {
            b.append(", ... ").append(values.length - SHOWN).append(" more");
        }
        return b.append("]]").toString();
    }

    /** @return the tokens {@code (T, D)} as rows (for {@link TokenKind#POOLED} one row) */
    public float[][] rows() {
        float[][] out = new float[tokens][width];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(values, t * width, out[t], 0, width);
        }
        return out;
    }
}
