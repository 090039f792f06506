package org.vit4j.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import org.vit4j.image.Interpolation;
import org.vit4j.image.SizingPolicy;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The {@code config.json} form of a {@link ViTConfig}: writing, and reading with a message that
 * names the missing or invalid field.
 */
final class ConfigJson {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private ConfigJson() {}

    /**
     * Writes a config.
     *
     * @param c the config
     * @return pretty-printed JSON
     */
    static String toJson(ViTConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("format", ViTConfig.FORMAT);
        o.addProperty("formatVersion", ViTConfig.FORMAT_VERSION);
        o.addProperty("imageHeight", c.getImageHeight());
        o.addProperty("imageWidth", c.getImageWidth());
        o.addProperty("channels", c.getChannels());
        o.addProperty("patchSize", c.getPatchSize());
        o.addProperty("width", c.getWidth());
        o.addProperty("depth", c.getDepth());
        o.addProperty("heads", c.getHeads());
        o.addProperty("mlpRatio", c.getMlpRatio());
        o.addProperty("numClasses", c.getNumClasses());
        o.addProperty("pooling", c.getPooling().cliName());
        o.addProperty("classToken", c.hasClassToken());
        o.addProperty("registerTokens", c.getRegisterTokens());
        o.addProperty("fcNorm", c.isFcNorm());
        o.addProperty("qkvBias", c.hasQkvBias());
        if (!c.hasKeyBias()) { // absent in older files and for timm VisionTransformer layouts: true
            o.addProperty("keyBias", false);
        }
        o.addProperty("posEmb", c.getPosEmb().cliName());
        o.addProperty("posEmbLayout", c.getPosEmbLayout().cliName());
        if (c.getRope().isRope()) { // absent in older files: no rotary embedding
            JsonObject rope = new JsonObject();
            rope.addProperty("kind", c.getRope().cliName());
            rope.addProperty("theta", c.getRopeTheta());
            rope.addProperty("layout", c.getRopeLayout().cliName());
            rope.addProperty("indexing", c.getRopeIndexing().cliName());
            o.add("rope", rope);
        }
        o.addProperty("layerScale", c.getLayerScale());
        o.addProperty("layerNormEps", c.getLayerNormEps());
        o.addProperty("dropout", c.getDropout());
        o.addProperty("dropPath", c.getDropPath());
        JsonObject pre = new JsonObject();
        pre.addProperty("sizing", c.getSizing().cliName());
        pre.addProperty("interpolation", c.getInterpolation().cliName());
        pre.addProperty("cropPct", c.getCropPct());
        pre.add("mean", GSON.toJsonTree(c.getMean()));
        pre.add("std", GSON.toJsonTree(c.getStd()));
        o.add("preprocess", pre);
        return GSON.toJson(o);
    }

    /**
     * Parses and validates a config.
     *
     * @param json the text of a {@code config.json}
     * @return the config
     * @throws IllegalArgumentException naming the missing or invalid field
     */
    static ViTConfig fromJson(String json) {
        JsonObject o;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("config is not a JSON object");
            }
            o = e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("config is not valid JSON: " + jsonProblem(e), e);
        }
        String format = optString(o, "format", ViTConfig.FORMAT);
        if (!ViTConfig.FORMAT.equals(format)) {
            throw new IllegalArgumentException(
                    "config field 'format' is '" + format + "', expected '" + ViTConfig.FORMAT + "'");
        }
        int version = optInt(o, "formatVersion", ViTConfig.FORMAT_VERSION);
        if (version > ViTConfig.FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "config formatVersion " + version + " is newer than this vit4j reads ("
                            + ViTConfig.FORMAT_VERSION + ")");
        }
        ViTConfig.Builder b = ViTConfig.builder();
        b.setImageSize(reqInt(o, "imageHeight"), reqInt(o, "imageWidth"));
        b.setPatchSize(reqInt(o, "patchSize"));
        b.optChannels(reqInt(o, "channels"));
        b.setWidth(reqInt(o, "width"));
        b.setDepth(reqInt(o, "depth"));
        b.setHeads(reqInt(o, "heads"));
        b.optMlpRatio(optDouble(o, "mlpRatio", 4.0));
        b.setNumClasses(reqInt(o, "numClasses"));
        b.optPooling(field(o, "pooling", () -> Pooling.fromName(optString(o, "pooling", "cls"))));
        if (o.has("classToken")) {
            b.optClassToken(reqBool(o, "classToken"));
        }
        b.optRegisterTokens(optInt(o, "registerTokens", 0));
        b.optFcNorm(o.has("fcNorm") && reqBool(o, "fcNorm"));
        b.optQkvBias(!o.has("qkvBias") || reqBool(o, "qkvBias"));
        b.optKeyBias(!o.has("keyBias") || reqBool(o, "keyBias"));
        b.optPosEmb(field(o, "posEmb", () -> PositionEmbeddingKind.fromName(optString(o, "posEmb", "learned"))));
        b.optPosEmbLayout(field(o, "posEmbLayout", () -> SinCosLayout.fromName(optString(o, "posEmbLayout", "split"))));
        if (o.has("rope")) {
            if (!o.get("rope").isJsonObject()) {
                throw new IllegalArgumentException("config field 'rope' must be an object");
            }
            JsonObject r = o.getAsJsonObject("rope");
            b.optRope(field(o, "rope.kind", () -> PositionEmbeddingKind.fromName(optString(r, "kind", "none"))));
            if (r.has("theta")) {
                b.optRopeTheta(optDouble(r, "theta", 0));
            }
            if (r.has("layout")) {
                b.optRopeLayout(field(o, "rope.layout", () -> RopeLayout.fromName(optString(r, "layout", null))));
            }
            if (r.has("indexing")) {
                b.optRopeIndexing(field(o, "rope.indexing", () -> RopeIndexing.fromName(optString(r, "indexing", null))));
            }
        }
        b.optLayerScale(optDouble(o, "layerScale", 0));
        b.optLayerNormEps(optDouble(o, "layerNormEps", 1e-6));
        b.optDropout(optDouble(o, "dropout", 0));
        b.optDropPath(optDouble(o, "dropPath", 0));
        if (o.has("preprocess")) {
            if (!o.get("preprocess").isJsonObject()) {
                throw new IllegalArgumentException("config field 'preprocess' must be an object");
            }
            JsonObject p = o.getAsJsonObject("preprocess");
            b.optSizing(optString(p, "sizing", SizingPolicy.RESIZE_CROP.cliName()));
            b.optInterpolation(optString(p, "interpolation", Interpolation.BICUBIC.cliName()));
            b.optCropPct(optDouble(p, "cropPct", 0.875));
            if (p.has("mean") || p.has("std")) {
                b.optNormalization(floats(p, "preprocess.mean", "mean"), floats(p, "preprocess.std", "std"));
            }
        }
        return b.build();
    }

    /**
     * Gson's parse error as one line for users: its message names the exception class and adds a
     * troubleshooting link on a second line; keep only where the syntax breaks.
     */
    private static String jsonProblem(JsonParseException e) {
        Throwable c = e.getCause() != null ? e.getCause() : e;
        String m = c.getMessage() == null ? "syntax error" : c.getMessage().lines().findFirst().orElse("");
        int at = m.indexOf(" at line ");
        return at >= 0 ? "syntax error" + m.substring(at) : m;
    }

    private interface FieldParser<T> {
        T parse();
    }

    private static <T> T field(JsonObject o, String name, FieldParser<T> parser) {
        try {
            return parser.parse();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("config field '" + name + "': " + e.getMessage(), e);
        }
    }

    private static JsonElement req(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("config field '" + name + "' is missing");
        }
        return e;
    }

    private static int reqInt(JsonObject o, String name) {
        JsonElement e = req(o, name);
        try {
            double d = e.getAsDouble();
            if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
                throw new NumberFormatException();
            }
            return (int) d;
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(
                    "config field '" + name + "' must be an integer, got " + e, ex);
        }
    }

    private static int optInt(JsonObject o, String name, int def) {
        return o.has(name) ? reqInt(o, name) : def;
    }

    private static double optDouble(JsonObject o, String name, double def) {
        if (!o.has(name)) {
            return def;
        }
        JsonElement e = o.get(name);
        try {
            return e.getAsDouble();
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException(
                    "config field '" + name + "' must be a number, got " + e, ex);
        }
    }

    private static boolean reqBool(JsonObject o, String name) {
        JsonElement e = req(o, name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw new IllegalArgumentException(
                    "config field '" + name + "' must be true or false, got " + e);
        }
        return e.getAsBoolean();
    }

    private static String optString(JsonObject o, String name, String def) {
        if (!o.has(name)) {
            return def;
        }
        JsonElement e = o.get(name);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(
                    "config field '" + name + "' must be a string, got " + e);
        }
        return e.getAsString();
    }

    private static float[] floats(JsonObject o, String label, String name) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException("config field '" + label + "' must be an array of numbers");
        }
        JsonArray a = e.getAsJsonArray();
        float[] r = new float[a.size()];
        for (int i = 0; i < r.length; i++) {
            try {
                r[i] = a.get(i).getAsFloat();
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(
                        "config field '" + label + "' must be an array of numbers, got " + e, ex);
            }
        }
        return r;
    }
}
