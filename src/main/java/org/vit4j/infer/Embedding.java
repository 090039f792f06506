package org.vit4j.infer;

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

    /** @return the tokens {@code (T, D)} as rows (for {@link TokenKind#POOLED} one row) */
    public float[][] rows() {
        float[][] out = new float[tokens][width];
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(values, t * width, out[t], 0, width);
        }
        return out;
    }
}
