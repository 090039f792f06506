package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/** Attention over a batch whose score tensor exceeds {@link Attention#MAX_SCORES} runs in chunks of images. */
class AttentionChunkingTest {

    @Test
    void chunkSizeKeepsTheScoreTensorUnderTheLimit() {
        Attention vitTiny = new Attention(192, 3, true, 0);
        assertEquals(32, vitTiny.chunkSize(32, 197));  // 224x224: one piece
        assertEquals(4, vitTiny.chunkSize(32, 577));   // 384x384: 3 * 577^2 floats per image
        assertEquals(1, vitTiny.chunkSize(32, 1025));  // 512x512
        assertEquals(1, new Attention(8, 1, true, 0).chunkSize(5, 5000)); // one image over the limit still runs
    }

    @Test
    void aChunkedBatchEqualsItsImagesOneByOne() {
        int t = 2100; // 1 head: 4.4 M scores per image > MAX_SCORES, so a batch of 3 runs in 3 chunks
        int d = 8;
        Attention attn = new Attention(d, 1, true, 0);
        assertEquals(1, attn.chunkSize(3, t));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            m.getEngine().setRandomSeed(3);
            attn.initialize(m, DataType.FLOAT32, new Shape(3, t, d));
            NDArray x = m.randomNormal(new Shape(3, t, d)); // (B, T, D)
            ParameterStore ps = new ParameterStore(m, false);
            float[] batched = attn.forward(ps, new NDList(x), false).head().toFloatArray();
            for (int i = 0; i < 3; i++) {
                float[] single = attn.forward(ps, new NDList(x.get(i).expandDims(0)), false).head().toFloatArray();
                float[] part = new float[t * d];
                System.arraycopy(batched, i * t * d, part, 0, t * d);
                assertArrayEquals(single, part, 1e-6f, "image " + i);
            }
        }
    }
}
