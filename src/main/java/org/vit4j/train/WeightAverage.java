package org.vit4j.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import org.vit4j.model.ViTConfig;
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

    /** The config fields whose values differ: {@code depth 6 vs 4, heads 3 vs 2} (this one's first). */
    static String difference(ViTConfig a, ViTConfig b) {
        JsonObject x = JsonParser.parseString(a.toJson()).getAsJsonObject();
        JsonObject y = JsonParser.parseString(b.toJson()).getAsJsonObject();
        List<String> d = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>(x.keySet());
        keys.addAll(y.keySet());
        for (String k : keys) {
            JsonElement u = x.get(k);
            JsonElement v = y.get(k);
            if (u == null || !u.equals(v)) {
                d.add(k + " " + (u == null ? "absent" : u) + " vs " + (v == null ? "absent" : v));
            }
        }
        return d.isEmpty() ? "the same fields, another network" : String.join(", ", d);
    }

    /** How two label lists differ: their lengths, or the first label that differs. */
    static String difference(List<String> a, List<String> b) {
        if (a.size() != b.size()) {
            return a.size() + " labels vs " + b.size();
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.get(i).equals(b.get(i))) {
                return "label " + i + " is '" + a.get(i) + "' vs '" + b.get(i) + "'";
            }
        }
        return "none";
    }

    /**
     * Averages model directories (checkpoint directories are model directories too) into a new one.
     *
     * @param dirs at least one model directory, all with the same network ({@link
     *     org.vit4j.model.ViTConfig#sameModel}) and labels; the first one's config is written
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
                if (!first.config().sameModel(c.config())) {
                    throw new IOException(dir + ": its network differs from that of " + dirs.get(0) + " ("
                            + difference(c.config(), first.config()) + ")");
                }
                if (!c.labels().equals(first.labels())) {
                    throw new IOException(dir + ": its labels differ from those of " + dirs.get(0) + " ("
                            + difference(c.labels(), first.labels()) + ")");
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
