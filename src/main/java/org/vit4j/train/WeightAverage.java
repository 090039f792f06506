package org.vit4j.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.io.Safetensors;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.VitModel;

/**
 * The element-wise mean of the weights of several saved models of one architecture and label list
 * — timm's {@code avg_checkpoints.py}; over the last epochs of one run it is stochastic weight
 * averaging (Izmailov et al. 2018), which usually lands in a flatter, better-generalizing point
 * than any single epoch.
 */
public final class WeightAverage {

    private WeightAverage() {}

    /**
     * Averages model directories (checkpoint directories are model directories too) into a new one.
     *
     * @param dirs at least one model directory, all with the same network ({@link
     *     org.vit4j.model.ViTConfig#sameNetwork}) and labels; the first one's config is written
     * @param out where to write the averaged model
     * @throws IOException if a directory cannot be read, or its config, labels or tensors differ
     *     from the first one's
     */
    public static void average(List<Path> dirs, Path out) throws IOException {
        if (dirs.isEmpty()) {
            throw new IllegalArgumentException("nothing to average: give at least one model directory");
        }
        ModelDirectory.Contents first = ModelDirectory.read(ModelFiles.of(dirs.get(0)));
        try (VitModel model = VitModel.create(first.config(), first.labels(), Device.cpu(), 0);
                NDManager m = model.newManager()) {
            Map<String, NDArray> sum = new LinkedHashMap<>();
            for (int i = 0; i < dirs.size(); i++) {
                Path dir = dirs.get(i);
                ModelDirectory.Contents c = i == 0 ? first : ModelDirectory.read(ModelFiles.of(dir));
                if (!first.config().sameNetwork(c.config()) || !c.labels().equals(first.labels())) {
                    throw new IOException(dir + ": its config or labels differ from those of " + dirs.get(0));
                }
                Map<String, NDArray> w = Safetensors.read(c.weights(), dir.resolve(ModelDirectory.WEIGHTS).toString(), m);
                if (!sum.isEmpty() && !sum.keySet().equals(w.keySet())) {
                    throw new IOException(dir + ": its tensors differ from those of " + dirs.get(0));
                }
                for (Map.Entry<String, NDArray> e : w.entrySet()) {
                    NDArray x = e.getValue().toType(DataType.FLOAT64, false);
                    sum.merge(e.getKey(), x, NDArray::add);
                }
            }
            Map<String, NDArray> mean = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : sum.entrySet()) {
                mean.put(e.getKey(), e.getValue().div(dirs.size()).toType(DataType.FLOAT32, false));
            }
            model.setWeights(mean, "the average of " + dirs.size() + " models");
            model.save(out);
        }
    }
}
