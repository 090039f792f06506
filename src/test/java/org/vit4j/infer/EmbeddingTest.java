package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** An embedding prints its kind, shape and first values, and equals another by its values. */
class EmbeddingTest {

    @Test
    void toStringShowsTheShapeAndTheFirstValues() {
        Embedding pooled = new Embedding(TokenKind.POOLED, 1, 6, new float[] {0.125f, -0.5f, 2, 0, 1, 3});
        assertEquals("Embedding[pooled (6), values=[0.1250, -0.5000, 2.0000, 0.0000, ... 2 more]]", pooled.toString());
        Embedding tokens = new Embedding(TokenKind.ENCODED, 2, 2, new float[] {1, 2, 3, 4});
        assertEquals("Embedding[encoded (2, 2), values=[1.0000, 2.0000, 3.0000, 4.0000]]", tokens.toString());
    }

    @Test
    void equalValuesAreEqualEmbeddings() {
        Embedding a = new Embedding(TokenKind.POOLED, 1, 2, new float[] {1, 2});
        assertEquals(a, new Embedding(TokenKind.POOLED, 1, 2, new float[] {1, 2}));
        assertEquals(a.hashCode(), new Embedding(TokenKind.POOLED, 1, 2, new float[] {1, 2}).hashCode());
        assertNotEquals(a, new Embedding(TokenKind.POOLED, 1, 2, new float[] {1, 3}));
        assertNotEquals(a, new Embedding(TokenKind.ENCODED, 1, 2, new float[] {1, 2}));
    }
}
