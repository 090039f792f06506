package org.vit4j.interop;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.vit4j.io.JsonErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vit4j.image.SizingPolicy;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;

/**
 * What a checkpoint's own {@code config.json} says beyond the tensor shapes. Every field is
 * optional; explicit importer options win over it.
 *
 * <ul>
 *   <li>Hugging Face ({@code ViTConfig}): {@code num_attention_heads}, {@code layer_norm_eps},
 *       {@code image_size}, {@code id2label}; {@code hidden_act} must be {@code gelu} and
 *       {@code model_type}, if present, {@code vit}.
 *   <li>timm (hub {@code config.json} or a bare {@code pretrained_cfg}): {@code architecture}
 *       ({@link TimmArchitecture}), {@code num_classes}, {@code global_pool}, {@code model_args}
 *       ({@code num_heads}, and with an architecture {@code embed_dim}, {@code depth},
 *       {@code patch_size}, {@code img_size}), {@code label_names}, and from {@code pretrained_cfg}:
 *       {@code input_size [C, H, W]}, {@code interpolation}, {@code crop_pct}, {@code crop_mode}
 *       ({@code center} or {@code squash}), {@code mean}, {@code std}.
 * </ul>
 */
final class SourceConfig {

    Integer heads;
    Double layerNormEps;
    int[] imageSize;
    List<String> labels;
    Pooling pooling;
    SizingPolicy sizing;
    String interpolation;
    Double cropPct;
    float[] mean;
    float[] std;
    /** timm's {@code architecture}, or null. */
    String architecture;
    /** timm's {@code num_classes} (0: a backbone without head), or null. */
    Integer numClasses;
    /** timm's {@code model_args} integers that change an architecture's sizes. */
    Integer embedDim;
    Integer depth;
    Integer patchSize;

    static final SourceConfig NONE = new SourceConfig();

    /**
     * Reads a config file.
     *
     * @param file the {@code config.json}
     * @param source the layout it belongs to
     * @return the fields found
     * @throws IOException if unreadable, not JSON, or describing a model vit4j cannot run
     */
    static SourceConfig read(Path file, Source source) throws IOException {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new IOException(file + ": not a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IOException(file + ": not valid JSON (" + JsonErrors.describe(e) + ")", e);
        }
        SourceConfig c = new SourceConfig();
        try {
            if (source == Source.HF) {
                c.readHf(o);
            } else if (source == Source.TIMM) {
                c.readTimm(o);
            } else {
                throw new IllegalArgumentException("torchvision checkpoints come without a config.json;"
                        + " give heads, image size and labels as options");
            }
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return c;
    }

    private void readHf(JsonObject o) {
        if (o.has("model_type") && !"vit".equals(o.get("model_type").getAsString())) {
            throw new IllegalArgumentException("model_type is '" + o.get("model_type").getAsString()
                    + "'; only 'vit' (ViTModel / ViTForImageClassification) is supported");
        }
        if (o.has("hidden_act") && !"gelu".equals(o.get("hidden_act").getAsString())) {
            throw new IllegalArgumentException("hidden_act is '" + o.get("hidden_act").getAsString()
                    + "'; vit4j's MLP uses the exact GELU ('gelu')");
        }
        if (o.has("num_attention_heads")) {
            heads = o.get("num_attention_heads").getAsInt();
        }
        if (o.has("layer_norm_eps")) {
            layerNormEps = o.get("layer_norm_eps").getAsDouble();
        }
        if (o.has("image_size")) {
            imageSize = size(o.get("image_size"));
        }
        if (o.has("id2label") && o.get("id2label").isJsonObject()) {
            Map<Integer, String> byId = new TreeMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("id2label").entrySet()) {
                byId.put(Integer.parseInt(e.getKey().trim()), e.getValue().getAsString());
            }
            List<String> l = new ArrayList<>(byId.values());
            int i = 0;
            for (int id : byId.keySet()) {
                if (id != i++) {
                    throw new IllegalArgumentException("id2label ids are not 0.." + (byId.size() - 1));
                }
            }
            labels = l;
        }
    }

    private void readTimm(JsonObject o) {
        JsonObject pre = o.has("pretrained_cfg") && o.get("pretrained_cfg").isJsonObject()
                ? o.getAsJsonObject("pretrained_cfg") : o;
        if (o.has("global_pool")) {
            pooling = Pooling.fromName(o.get("global_pool").getAsString());
        }
        if (o.has("architecture")) {
            architecture = o.get("architecture").getAsString();
        }
        if (o.has("num_classes")) {
            numClasses = o.get("num_classes").getAsInt();
        }
        JsonObject args = o.has("model_args") && o.get("model_args").isJsonObject()
                ? o.getAsJsonObject("model_args") : new JsonObject();
        if (args.has("num_heads")) {
            heads = args.get("num_heads").getAsInt();
        }
        embedDim = args.has("embed_dim") ? args.get("embed_dim").getAsInt() : null;
        depth = args.has("depth") ? args.get("depth").getAsInt() : null;
        patchSize = args.has("patch_size") ? args.get("patch_size").getAsInt() : null;
        if (args.has("img_size")) {
            imageSize = size(args.get("img_size"));
        }
        JsonElement names = o.has("label_names") ? o.get("label_names") : pre.get("label_names");
        if (names != null && names.isJsonArray()) {
            labels = new ArrayList<>();
            names.getAsJsonArray().forEach(n -> labels.add(n.getAsString()));
        }
        if (pre.has("input_size") && !args.has("img_size")) {
            JsonArray a = pre.getAsJsonArray("input_size");
            imageSize = new int[] {a.get(a.size() - 2).getAsInt(), a.get(a.size() - 1).getAsInt()};
        }
        if (pre.has("interpolation")) {
            interpolation = pre.get("interpolation").getAsString();
        }
        if (pre.has("crop_pct") && !pre.get("crop_pct").isJsonNull()) {
            cropPct = pre.get("crop_pct").getAsDouble();
        }
        if (pre.has("crop_mode")) {
            String mode = pre.get("crop_mode").getAsString();
            if ("squash".equals(mode)) {
                sizing = SizingPolicy.RESIZE;
            } else if ("center".equals(mode)) {
                sizing = SizingPolicy.RESIZE_CROP;
            } else {
                throw new IllegalArgumentException("pretrained_cfg.crop_mode '" + mode
                        + "' is not supported (center or squash)");
            }
        }
        if (pre.has("mean") && pre.has("std")) {
            mean = floats(pre.getAsJsonArray("mean"));
            std = floats(pre.getAsJsonArray("std"));
        }
    }

    private static int[] size(JsonElement e) {
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            return new int[] {a.get(0).getAsInt(), a.get(a.size() - 1).getAsInt()};
        }
        return new int[] {e.getAsInt(), e.getAsInt()};
    }

    private static float[] floats(JsonArray a) {
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = a.get(i).getAsFloat();
        }
        return r;
    }

    /**
     * Sets the preprocessing fields found on a config builder.
     *
     * @param b the builder, holding the source's defaults
     */
    void applyPreprocessing(ViTConfigBuilder b) {
        if (sizing != null) {
            b.optSizing(sizing);
        }
        if (interpolation != null) {
            b.optInterpolation(interpolation);
        }
        if (cropPct != null) {
            b.optCropPct(cropPct);
        }
        if (mean != null) {
            b.optNormalization(mean, std);
        }
    }
}
