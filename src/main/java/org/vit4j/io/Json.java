package org.vit4j.io;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;

/**
 * The JSON vit4j prints (the commands, {@code vit4j serve}, {@link org.vit4j.infer.ResultJson}), in one place: numbers that JSON has no words for ({@code NaN},
 * the infinities) become {@code null} where the value is built ({@link #number}), and the printer
 * is strict, so that one that slipped through fails the command instead of printing a line no
 * JSON parser reads.
 */
public final class Json {

    /** Strict: a {@code NaN} in a tree is an error, not a bare {@code NaN} token; nulls kept; no HTML escapes. */
    private static final Gson GSON = new GsonBuilder().setStrictness(Strictness.LEGACY_STRICT).serializeNulls()
            .disableHtmlEscaping().create();

    private Json() {}

    /**
     * A JSON number.
     *
     * @param v the value
     * @return it, or {@code null} for {@code NaN} and the infinities
     */
    public static JsonElement number(double v) {
        return Double.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE;
    }

    /**
     * A JSON array of numbers.
     *
     * @param values the values
     * @return them, each non-finite one as {@code null}
     */
    public static JsonArray numbers(float[] values) {
        JsonArray a = new JsonArray(values.length);
        for (float v : values) {
            a.add(Float.isFinite(v) ? new JsonPrimitive(v) : JsonNull.INSTANCE);
        }
        return a;
    }

    /**
     * Rows of numbers.
     *
     * @param rows the rows
     * @return an array of {@link #numbers} arrays
     */
    public static JsonArray rows(float[][] rows) {
        JsonArray a = new JsonArray(rows.length);
        for (float[] r : rows) {
            a.add(numbers(r));
        }
        return a;
    }

    /**
     * Sets a number property, {@code null} where it is not finite.
     *
     * @param o the object
     * @param name the property
     * @param v the value
     */
    public static void put(JsonObject o, String name, double v) {
        o.add(name, number(v));
    }

    /**
     * Converts any value (lists, arrays of integers, strings) to a tree.
     *
     * @param value the value
     * @return its tree
     */
    public static JsonElement tree(Object value) {
        return GSON.toJsonTree(value);
    }

    /**
     * One line of JSON.
     *
     * @param e the tree
     * @return its text, without a line break
     * @throws IllegalStateException if it holds a {@code NaN} or an infinity (a bug: use {@link #number})
     */
    public static String line(JsonElement e) {
        try {
            return GSON.toJson(e);
        } catch (IllegalArgumentException ex) {
            throw new IllegalStateException("a JSON number is not finite: " + ex.getMessage(), ex);
        }
    }
}
