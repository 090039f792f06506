package org.vit4j.infer;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.vit4j.io.Json;

/**
 * The JSON objects of results, in one place: {@code vit4j predict --format json} prints one per
 * line, and {@code vit4j serve} answers with the same objects (without {@code path}), so both say
 * the same thing about an image, digit for digit.
 */
public final class ResultJson {

    private ResultJson() {}

    /**
     * A classification: {@code {"path": ..., "predictions": [{"label", "index", "probability"}...],
     * "logits": [...]}}.
     *
     * @param path the input's name, or null to leave {@code path} out
     * @param c the classification
     * @param withLogits whether to add all {@code K} logits
     * @return the object
     */
    public static JsonObject classification(String path, Classification c, boolean withLogits) {
        JsonObject o = new JsonObject();
        if (path != null) {
            o.addProperty("path", path);
        }
        JsonArray preds = new JsonArray();
        for (Prediction p : c.top()) {
            JsonObject po = new JsonObject();
            po.addProperty("label", p.label());
            po.addProperty("index", p.index());
            Json.put(po, "probability", p.probability());
            preds.add(po);
        }
        o.add("predictions", preds);
        if (withLogits) {
            o.add("logits", Json.numbers(c.logits()));
        }
        return o;
    }

    /**
     * An embedding: {@code {"shape": [T, D] or [D], "values": [...]}}, the values row-major.
     *
     * @param e the embedding
     * @return the object
     */
    public static JsonObject embedding(Embedding e) {
        JsonObject o = new JsonObject();
        o.add("shape", Json.tree(e.shape()));
        o.add("values", Json.numbers(e.values()));
        return o;
    }

    /**
     * A failure: {@code {"path": ..., "error": ...}}.
     *
     * @param path the input's name, or null to leave {@code path} out
     * @param message why it failed
     * @return the object
     */
    public static JsonObject error(String path, String message) {
        JsonObject o = new JsonObject();
        if (path != null) {
            o.addProperty("path", path);
        }
        o.addProperty("error", message);
        return o;
    }

    /**
     * One line of JSON, without HTML escaping.
     *
     * @param json an object
     * @return its compact text, no line break
     */
    public static String line(JsonElement json) {
        return Json.line(json);
    }
}
