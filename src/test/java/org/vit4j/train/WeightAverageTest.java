package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.io.Safetensors;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/** The average of saved models is their element-wise mean, and only models of one kind are averaged. */
class WeightAverageTest {

    private static final ViTConfig CONFIG = Variant.MICRO.toBuilder().setDepth(1).build();
    private static final List<String> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");

    @TempDir
    Path tmp;

    private Path save(String name, ViTConfig config, List<String> labels, long seed) throws IOException {
        Path dir = tmp.resolve(name);
        try (VitModel m = VitModel.create(config, labels, Device.cpu(), seed)) {
            m.save(dir);
        }
        return dir;
    }

    private static Map<String, NDArray> weights(Path dir, NDManager m) throws IOException {
        return Safetensors.read(dir.resolve(ModelDirectory.WEIGHTS), m);
    }

    @Test
    void theAverageIsTheElementWiseMean() throws IOException {
        Path a = save("a", CONFIG, LABELS, 1);
        Path b = save("b", CONFIG, LABELS, 2);
        Path c = save("c", CONFIG, LABELS, 3);
        WeightAverage.average(List.of(a, b, c), tmp.resolve("mean"));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> wa = weights(a, m);
            Map<String, NDArray> wb = weights(b, m);
            Map<String, NDArray> wc = weights(c, m);
            Map<String, NDArray> mean = weights(tmp.resolve("mean"), m);
            assertEquals(wa.keySet(), mean.keySet());
            for (String k : wa.keySet()) {
                float[] x = wa.get(k).toFloatArray();
                float[] y = wb.get(k).toFloatArray();
                float[] z = wc.get(k).toFloatArray();
                float[] want = new float[x.length];
                for (int i = 0; i < x.length; i++) {
                    want[i] = (float) (((double) x[i] + y[i] + z[i]) / 3);
                }
                assertArrayEquals(want, mean.get(k).toFloatArray(), 1e-7f, k);
            }
        }
        assertEquals(CONFIG, ModelDirectory.readConfig(tmp.resolve("mean")));
    }

    @Test
    void oneModelAveragesToItself() throws IOException {
        Path a = save("a", CONFIG, LABELS, 1);
        WeightAverage.average(List.of(a), tmp.resolve("same"));
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            Map<String, NDArray> wa = weights(a, m);
            Map<String, NDArray> same = weights(tmp.resolve("same"), m);
            for (String k : wa.keySet()) {
                assertArrayEquals(wa.get(k).toFloatArray(), same.get(k).toFloatArray(), k);
            }
        }
    }

    @Test
    void modelsOfAnotherKindAreRefused() throws IOException {
        Path a = save("a", CONFIG, LABELS, 1);
        Path deeper = save("deeper", CONFIG.toBuilder().setDepth(2).build(), LABELS, 1);
        IOException e = assertThrows(IOException.class, () -> WeightAverage.average(List.of(a, deeper), tmp.resolve("x")));
        assertEquals(deeper + ": its network differs from that of " + a + " (depth 2 vs 1)", e.getMessage());
        Path relabelled = save("relabelled", CONFIG, List.of("z", "b", "c", "d", "e", "f", "g", "h", "i", "j"), 1);
        e = assertThrows(IOException.class, () -> WeightAverage.average(List.of(a, relabelled), tmp.resolve("y")));
        assertEquals(relabelled + ": its labels differ from those of " + a + " (label 0 is 'z' vs 'a')", e.getMessage());
        Path fewer = save("fewer", CONFIG.toBuilder().setNumClasses(9).build(), LABELS.subList(0, 9), 1);
        e = assertThrows(IOException.class, () -> WeightAverage.average(List.of(a, fewer), tmp.resolve("w")));
        assertEquals(fewer + ": its network differs from that of " + a + " (numClasses 9 vs 10)", e.getMessage());
        assertEquals("nothing to average: give at least one model directory",
                assertThrows(IllegalArgumentException.class, () -> WeightAverage.average(List.of(), tmp.resolve("z"))).getMessage());
    }
}
