package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vit4j.InvalidOptionException;
import org.vit4j.compiled.Precision;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.TestModels;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/** The attention view: fp32 only, the scrambled path is the scrambled image's maps, arrays and lists agree. */
class VitAttentionTest {

    @Test
    void aBf16ModelRefusesMapsNamingThePrecision() throws Exception {
        try (InferenceModel m = InferenceModel.builder().setModel(TestModels.create(ConfigCases.base().build(), 2))
                .optPrecision(Precision.BF16).build()) {
            PreprocessedImage x = new PreprocessedImage(new float[3 * 32 * 32], 3, 32, 32);
            InvalidOptionException e = assertThrows(InvalidOptionException.class, () -> m.attention().maps(List.of(x)));
            assertEquals("precision bf16: attention maps are computed in fp32 only", e.getMessage());
        }
    }

    @Test
    void scrambledPathAndArrayBatchGiveTheListsMaps() throws Exception {
        Path cat = Path.of("sample-images/photo-cat-chelsea.jpg");
        try (InferenceModel m = InferenceModel.bundled(ai.djl.Device.cpu())) {
            ShuffleGrid grid = new ShuffleGrid(4, 4);
            PreprocessedImage p = m.preprocess(cat);
            PreprocessedImage s = Scrambler.scramble(p, grid, 17);
            List<AttentionMaps> both = m.attention().maps(List.of(p, s));
            AttentionMaps viaPath = m.attention().maps(cat, grid, 17);
            assertArrayEquals(both.get(1).values(), viaPath.values());
            assertArrayEquals(s.data(), viaPath.input().data());
            try (NDManager nd = NDManager.newBaseManager()) {
                float[] data = new float[2 * p.data().length];
                System.arraycopy(p.data(), 0, data, 0, p.data().length);
                System.arraycopy(s.data(), 0, data, p.data().length, p.data().length);
                NDArray maps = m.attention().compute(nd.create(data, new Shape(2, 1, 128, 128)));
                assertEquals(new Shape(6, 2, 4, 64, 64), maps.getShape());
                float[] flat = maps.transpose(1, 0, 2, 3, 4).toFloatArray();
                float[] first = java.util.Arrays.copyOfRange(flat, 0, flat.length / 2);
                assertArrayEquals(both.get(0).values(), first, 1e-6f);
            }
        }
    }
}
