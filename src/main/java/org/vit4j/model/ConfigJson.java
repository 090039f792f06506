package org.vit4j.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.Strictness;
import com.google.gson.JsonArray;
import com.google.gson.JsonDeserializationContext;
import com.google.gson.JsonDeserializer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonSerializationContext;
import com.google.gson.JsonSerializer;
import java.lang.reflect.Type;
import java.util.List;
import org.vit4j.io.JsonErrors;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.RopeIndexing;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.SinCosLayout;

/**
 * The Gson adapter of {@link ViTConfig} ({@code @JsonAdapter} on the record), the one place that
 * knows the {@code config.json} form: writing, and reading with a message that names the missing or
 * invalid field. The file is flat where the record is split: the {@link Architecture}'s components
 * and the two rates at the top level under their component names, the {@link Preprocessing}'s in a
 * {@code preprocess} object; enum values are written in their {@code cliName()} spelling. This form
 * is fixed by the model directories already written. Files written before a field existed read
 * with its default: no {@code keyBias} (true), no {@code rope} (none), no {@code positionScaling}
 * (extrapolate), no {@code layerScale} (0).
 */
final class ConfigJson implements JsonSerializer<ViTConfig>, JsonDeserializer<ViTConfig> {

    /** Pretty-printing Gson; finds this adapter through the record's annotation. */
    static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    /**
     * {@link #GSON} for writing, strict: a number JSON cannot write ({@code NaN}, an infinity)
     * fails the write instead of making a config.json that no JSON parser reads (the checks of
     * {@link Architecture} keep every number finite).
     */
    static final Gson WRITER = GSON.newBuilder().setStrictness(Strictness.LEGACY_STRICT).create();

    @Override
    public JsonElement serialize(ViTConfig config, Type type, JsonSerializationContext context) {
        Architecture c = config.architecture();
        JsonObject o = new JsonObject();
        o.addProperty("format", ViTConfig.FORMAT);
        o.addProperty("formatVersion", ViTConfig.FORMAT_VERSION);
        o.addProperty("imageHeight", c.imageHeight());
        o.addProperty("imageWidth", c.imageWidth());
        o.addProperty("channels", c.channels());
        o.addProperty("patchSize", c.patchSize());
        o.addProperty("width", c.width());
        o.addProperty("depth", c.depth());
        o.addProperty("heads", c.heads());
        o.addProperty("mlpRatio", c.mlpRatio());
        o.addProperty("numClasses", c.numClasses());
        o.addProperty("pooling", c.pooling().cliName());
        o.addProperty("classToken", c.classToken());
        o.addProperty("registerTokens", c.registerTokens());
        o.addProperty("fcNorm", c.fcNorm());
        o.addProperty("qkvBias", c.qkvBias());
        if (!c.keyBias()) { // absent in older files and for timm VisionTransformer layouts: true
            o.addProperty("keyBias", false);
        }
        o.addProperty("posEmb", c.posEmb().cliName());
        o.addProperty("posEmbLayout", c.posEmbLayout().cliName());
        if (c.rope().isRope()) { // absent in older files: no rotary embedding
            JsonObject rope = new JsonObject();
            rope.addProperty("kind", c.rope().cliName());
            rope.addProperty("theta", c.ropeTheta());
            rope.addProperty("layout", c.ropeLayout().cliName());
            rope.addProperty("indexing", c.ropeIndexing().cliName());
            o.add("rope", rope);
        }
        if (c.positionScaling() != PositionScaling.EXTRAPOLATE) { // absent in older files: extrapolate
            o.addProperty("positionScaling", c.positionScaling().cliName());
        }
        o.addProperty("layerScale", c.layerScale());
        o.addProperty("layerNormEps", c.layerNormEps());
        o.addProperty("dropout", config.dropout());
        o.addProperty("dropPath", config.dropPath());
        Preprocessing p = config.preprocessing();
        JsonObject pre = new JsonObject();
        pre.addProperty("sizing", p.sizing().cliName());
        pre.addProperty("interpolation", p.interpolation().cliName());
        pre.addProperty("cropPct", p.cropPct());
        pre.add("mean", array(p.mean()));
        pre.add("std", array(p.std()));
        o.add("preprocess", pre);
        return o;
    }

    private static JsonArray array(Iterable<Float> values) {
        JsonArray a = new JsonArray();
        for (Float v : values) {
            a.add(v);
        }
        return a;
    }

    /**
     * Parses the text of a config file into a JSON object, with a one-line message for users.
     *
     * @param json the text of a {@code config.json}
     * @return the object
     * @throws IllegalArgumentException if the text is not valid JSON or not an object
     */
    static JsonObject parse(String json) {
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!e.isJsonObject()) {
                throw new IllegalArgumentException("config is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("config is not valid JSON: " + JsonErrors.describe(e), e);
        }
    }

    /**
     * Reads and validates a config.
     *
     * @throws IllegalArgumentException naming the missing or invalid field, or refusing another
     *     format or a newer format version
     */
    @Override
    public ViTConfig deserialize(JsonElement json, Type type, JsonDeserializationContext context) {
        if (!json.isJsonObject()) {
            throw new IllegalArgumentException("config is not a JSON object");
        }
        JsonObject o = json.getAsJsonObject();
        String format = o.has("format") ? reqString(o, "format") : ViTConfig.FORMAT;
        if (!ViTConfig.FORMAT.equals(format)) {
            throw new IllegalArgumentException(
                    "config field 'format' is '" + format + "', expected '" + ViTConfig.FORMAT + "'");
        }
        int version = o.has("formatVersion") ? reqInt(o, "formatVersion") : ViTConfig.FORMAT_VERSION;
        if (version > ViTConfig.FORMAT_VERSION) {
            throw new IllegalArgumentException(
                    "config formatVersion " + version + " is newer than this vit4j reads ("
                            + ViTConfig.FORMAT_VERSION + ")");
        }
        requireKnown(o, "", FIELDS);
        if (o.has("rope") && o.get("rope").isJsonObject()) {
            requireKnown(o.getAsJsonObject("rope"), "rope.", ROPE_FIELDS);
        }
        if (o.has("preprocess") && o.get("preprocess").isJsonObject()) {
            requireKnown(o.getAsJsonObject("preprocess"), "preprocess.", PREPROCESS_FIELDS);
        }
        // a field sets its option only when present, so the builder is the one home of every default
        ViTConfigBuilder b = ViTConfig.builder();
        b.setImageSize(reqInt(o, "imageHeight"), reqInt(o, "imageWidth"));
        b.setPatchSize(reqInt(o, "patchSize"));
        b.optChannels(reqInt(o, "channels"));
        b.setWidth(reqInt(o, "width"));
        b.setDepth(reqInt(o, "depth"));
        b.setHeads(reqInt(o, "heads"));
        b.setNumClasses(reqInt(o, "numClasses"));
        ifPresent(o, "mlpRatio", () -> b.optMlpRatio(reqDouble(o, "mlpRatio")));
        ifPresent(o, "pooling", () -> b.optPooling(field(o, "pooling", () -> Pooling.fromName(reqString(o, "pooling")))));
        ifPresent(o, "classToken", () -> b.optClassToken(reqBool(o, "classToken")));
        ifPresent(o, "registerTokens", () -> b.optRegisterTokens(reqInt(o, "registerTokens")));
        ifPresent(o, "fcNorm", () -> b.optFcNorm(reqBool(o, "fcNorm")));
        ifPresent(o, "qkvBias", () -> b.optQkvBias(reqBool(o, "qkvBias")));
        ifPresent(o, "keyBias", () -> b.optKeyBias(reqBool(o, "keyBias")));
        ifPresent(o, "posEmb", () -> b.optPosEmb(
                field(o, "posEmb", () -> PositionEmbeddingKind.fromName(reqString(o, "posEmb")))));
        ifPresent(o, "posEmbLayout", () -> b.optPosEmbLayout(
                field(o, "posEmbLayout", () -> SinCosLayout.fromName(reqString(o, "posEmbLayout")))));
        if (o.has("rope")) {
            if (!o.get("rope").isJsonObject()) {
                throw new IllegalArgumentException("config field 'rope' must be an object");
            }
            JsonObject r = o.getAsJsonObject("rope");
            ifPresent(r, "kind", () -> b.optRope(
                    field(o, "rope.kind", () -> PositionEmbeddingKind.fromName(reqString(r, "kind")))));
            ifPresent(r, "theta", () -> b.optRopeTheta(reqDouble(r, "theta")));
            ifPresent(r, "layout", () -> b.optRopeLayout(
                    field(o, "rope.layout", () -> RopeLayout.fromName(reqString(r, "layout")))));
            ifPresent(r, "indexing", () -> b.optRopeIndexing(
                    field(o, "rope.indexing", () -> RopeIndexing.fromName(reqString(r, "indexing")))));
        }
        ifPresent(o, "positionScaling", () -> b.optPositionScaling(
                field(o, "positionScaling", () -> PositionScaling.fromName(reqString(o, "positionScaling")))));
        ifPresent(o, "layerScale", () -> b.optLayerScale(reqDouble(o, "layerScale")));
        ifPresent(o, "layerNormEps", () -> b.optLayerNormEps(reqDouble(o, "layerNormEps")));
        ifPresent(o, "dropout", () -> b.optDropout(reqDouble(o, "dropout")));
        ifPresent(o, "dropPath", () -> b.optDropPath(reqDouble(o, "dropPath")));
        if (o.has("preprocess")) {
            if (!o.get("preprocess").isJsonObject()) {
                throw new IllegalArgumentException("config field 'preprocess' must be an object");
            }
            JsonObject p = o.getAsJsonObject("preprocess");
            ifPresent(p, "sizing", () -> b.optSizing(reqString(p, "sizing")));
            ifPresent(p, "interpolation", () -> b.optInterpolation(reqString(p, "interpolation")));
            ifPresent(p, "cropPct", () -> b.optCropPct(reqDouble(p, "cropPct")));
            if (p.has("mean") || p.has("std")) {
                b.optNormalization(floats(p, "preprocess.mean", "mean"), floats(p, "preprocess.std", "std"));
            }
        }
        return b.build();
    }

    /** The fields of {@code config.json}, of its {@code rope} and of its {@code preprocess} object. */
    private static final List<String> FIELDS = List.of("format", "formatVersion", "imageHeight", "imageWidth",
            "channels", "patchSize", "width", "depth", "heads", "mlpRatio", "numClasses", "pooling", "classToken",
            "registerTokens", "fcNorm", "qkvBias", "keyBias", "posEmb", "posEmbLayout", "rope", "positionScaling", "layerScale",
            "layerNormEps", "dropout", "dropPath", "preprocess");
    private static final List<String> ROPE_FIELDS = List.of("kind", "theta", "layout", "indexing");
    private static final List<String> PREPROCESS_FIELDS = List.of("sizing", "interpolation", "cropPct", "mean", "std");

    /**
     * Refuses a field this format does not have: a misspelled one would otherwise be ignored and
     * its default used without a word.
     */
    private static void requireKnown(JsonObject o, String prefix, List<String> known) {
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                String near = known.stream().filter(k -> letters(k).equals(letters(key))).findFirst()
                        .map(k -> " (did you mean '" + prefix + k + "'?)").orElse("");
                throw new IllegalArgumentException("config field '" + prefix + key + "' is not a field of the vit4j"
                        + " config format" + near);
            }
        }
    }

    /** {@code layer_norm_eps} and {@code layerNormEps} alike: lower-case letters and digits. */
    private static String letters(String key) {
        return key.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
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

    /** Runs {@code set} when the object has the field (even as {@code null}, which then fails naming it). */
    private static void ifPresent(JsonObject o, String name, Runnable set) {
        if (o.has(name)) {
            set.run();
        }
    }

    private static double reqDouble(JsonObject o, String name) {
        JsonElement e = req(o, name);
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

    private static String reqString(JsonObject o, String name) {
        JsonElement e = req(o, name);
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
