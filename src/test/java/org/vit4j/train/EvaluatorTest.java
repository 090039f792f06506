package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;

/** {@link Evaluator} on a model whose answer is known: a zero head with a fixed bias. */
class EvaluatorTest {

    @TempDir
    Path tmp;

    @Test
    void constantModelGivesAKnownConfusionMatrixAndLoss() throws IOException {
        TinyFashion.write(tmp, 10, 32);
        FashionMnist test = FashionMnist.load(tmp, false); // labels i % 10: classes 0, 1 have 4 images, 2..9 have 3
        ViTConfig config = Variant.MICRO.toBuilder().build();
        float[] bias = {0, 1, 0, 5, 0, 0, -1, 0, 0, 2};
        try (VitModel model = VitModel.create(config, new ArrayList<>(FashionMnist.LABELS), Device.cpu(), 1);
                NDManager m = model.newManager()) {
            Map<String, NDArray> w = new LinkedHashMap<>();
            for (Map.Entry<String, Parameter> e : model.getBlock().namedParameters().entrySet()) {
                w.put(e.getKey(), e.getValue().getArray());
            }
            w.put("head.weight", m.zeros(w.get("head.weight").getShape()));
            w.put("head.bias", m.create(bias));
            model.setWeights(w, "constant");

            List<Integer> progress = new ArrayList<>();
            EvalResult r = Evaluator.evaluate(model, test, 10, null, 0, progress::add); // 10, 10, 10, 2
            assertEquals(List.of(10, 20, 30, 32), progress);
            assertEquals(32, r.total());
            assertNull(r.scrambleGrid());
            // every image is predicted as class 3
            for (int y = 0; y < 10; y++) {
                long[] row = new long[10];
                row[3] = y < 2 ? 4 : 3;
                assertArrayEquals(row, r.confusion()[y], "true class " + y);
            }
            assertEquals(3.0 / 32, r.accuracy(), 1e-12);
            // top-5 by bias, ties to the lower index as argmax: classes 3, 9, 1, 0, 2 = 3 + 3 + 4 + 4 + 3 images
            assertEquals(17, r.top5Correct());
            assertEquals(17.0 / 32, r.top5Accuracy(), 1e-12);
            double[] perClass = r.perClassAccuracy();
            assertEquals(1.0, perClass[3]);
            assertEquals(0.0, perClass[0]);
            // loss: mean over images of logsumexp(bias) - bias[y]
            double lse = 0;
            for (float b : bias) {
                lse += Math.exp(b);
            }
            lse = Math.log(lse);
            double loss = 0;
            for (int i = 0; i < 32; i++) {
                loss += lse - bias[i % 10];
            }
            assertEquals(loss / 32, r.loss(), 1e-5);

            // scrambled evaluation runs over the same images and records its grid
            EvalResult s = Evaluator.evaluate(model, test, 7, new ShuffleGrid(2, 2), 3, null);
            assertEquals(32, s.total());
            assertEquals("2x2", s.scrambleGrid());
            assertEquals(3, s.confusion()[5][3]); // the constant model ignores pixels
        }
    }
}
