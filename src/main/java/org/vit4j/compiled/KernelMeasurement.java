package org.vit4j.compiled;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vit4j.io.Json;

/**
 * The routes timed for one kernel shape and the one chosen: a linear weight shape {@code OUTxIN} at
 * a row count, or an attention shape {@code B x H heads x T tokens x hd} ({@link KernelChooser}).
 *
 * @param kind {@code linear} or {@code attention}
 * @param shape {@code 3072x768} (out-features x in-features) or {@code 1x12x197x64} (batch x heads x tokens x head dim)
 * @param rows rows multiplied per call (linear), or the batch (attention)
 * @param flops floating-point operations of one call (2 per multiply-add)
 * @param seconds seconds per call of every route timed, by route name, in the program's order
 * @param rejected routes that failed the agreement check with {@code aten::linear} (not timed)
 * @param batchDependent timed routes whose product of a row changes with the rows around it (an
 *     image alone and in a batch would differ in the last bits): {@code auto} does not choose them
 * @param choice the route chosen: the fastest timed one that does not change with the batch, or
 *     {@code aten} where every route does
 * @param source {@code measured} (at this load) or {@code cached} (an earlier load's measurement)
 */
public record KernelMeasurement(String kind, String shape, long rows, double flops, Map<String, Double> seconds,
        List<String> rejected, List<String> batchDependent, String choice, String source) {

    /**
     * Copies the maps and lists.
     *
     * @param kind {@code linear} or {@code attention}
     * @param shape the shape
     * @param rows rows (linear) or images (attention) per call
     * @param flops operations of one call
     * @param seconds seconds per call by route
     * @param rejected routes that failed the agreement check
     * @param batchDependent routes whose results change with the batch
     * @param choice the route chosen
     * @param source {@code measured} or {@code cached}
     */
    public KernelMeasurement {
        seconds = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(seconds));
        rejected = List.copyOf(rejected);
        batchDependent = List.copyOf(batchDependent);
    }

    /**
     * The route that took least time per call among those that do not change with the batch; where
     * every one does, {@code aten} (the program's own fallback, what such a shape got before routes
     * were measured), else the fastest; {@code aten} too where no route was timed (every one failed
     * the agreement check).
     *
     * @param seconds seconds per call by route
     * @param batchDependent the routes whose results change with the batch
     * @return its name
     */
    static String fastest(Map<String, Double> seconds, List<String> batchDependent) {
        if (seconds.isEmpty()) {
            return "aten"; // every route failed the agreement check (int8: the layer stays fp32)
        }
        boolean anyInvariant = seconds.keySet().stream().anyMatch(r -> !batchDependent.contains(r));
        if (!anyInvariant && seconds.containsKey("aten")) {
            return "aten";
        }
        String best = null;
        for (Map.Entry<String, Double> e : seconds.entrySet()) {
            if (anyInvariant && batchDependent.contains(e.getKey())) {
                continue;
            }
            if (best == null || e.getValue() < seconds.get(best)) {
                best = e.getKey();
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no route was timed");
        }
        return best;
    }

    /**
     * A route's rate.
     *
     * @param route a timed route
     * @return GFLOP/s ({@link #flops} / seconds / 1e9)
     */
    public double gflops(String route) {
        return flops / seconds.get(route) / 1e9;
    }

    /** @return this measurement with another source */
    KernelMeasurement withSource(String source) {
        return new KernelMeasurement(kind, shape, rows, flops, seconds, rejected, batchDependent, choice, source);
    }

    /**
     * One line: the shape, then each route's time and rate, and the choice.
     *
     * @return e.g. {@code linear 3072x768 at 197 rows (measured): aten 9.81 ms 94.7 GFLOP/s (changes with
     *     the batch), onednn-packed 9.12 ms 101.9 GFLOP/s -> onednn-packed}
     */
    public String describe() {
        List<String> parts = new ArrayList<>();
        seconds.forEach((route, s) -> parts.add(String.format(Locale.ROOT, "%s %.3f ms %.1f GFLOP/s%s", route, 1e3 * s,
                gflops(route), batchDependent.contains(route) ? " (changes with the batch)" : "")));
        for (String r : rejected) {
            parts.add(r + " disagrees with aten::linear");
        }
        return String.format(Locale.ROOT, "%s %s at %d %s (%s): %s -> %s", kind, shape, rows,
                kind.equals("linear") ? "rows" : "images", source, String.join(", ", parts), choice);
    }

    /** @return the measurement as JSON (kind, shape, rows, flops, seconds, gflops, rejected, batch_dependent, choice, source) */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("kind", kind);
        o.addProperty("shape", shape);
        o.addProperty("rows", rows);
        Json.put(o, "flops", flops);
        JsonObject s = new JsonObject();
        JsonObject g = new JsonObject();
        seconds.forEach((route, v) -> {
            Json.put(s, route, v);
            Json.put(g, route, gflops(route));
        });
        o.add("seconds", s);
        o.add("gflops", g);
        o.add("rejected", Json.tree(rejected));
        o.add("batch_dependent", Json.tree(batchDependent));
        o.addProperty("choice", choice);
        o.addProperty("source", source);
        return o;
    }

    /**
     * Reads {@link #toJson}'s object.
     *
     * @param o the object
     * @return the measurement
     * @throws IllegalArgumentException if a field is missing or of the wrong type, naming it
     */
    public static KernelMeasurement fromJson(JsonObject o) {
        try {
            Map<String, Double> seconds = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("seconds").entrySet()) {
                double v = e.getValue().getAsDouble();
                if (!(v > 0) || !Double.isFinite(v)) {
                    throw new IllegalArgumentException("seconds of " + e.getKey() + " is " + v);
                }
                seconds.put(e.getKey(), v);
            }
            List<String> rejected = new ArrayList<>();
            JsonArray r = o.getAsJsonArray("rejected");
            if (r != null) {
                r.forEach(x -> rejected.add(x.getAsString()));
            }
            List<String> batchDependent = new ArrayList<>();
            JsonArray d = o.getAsJsonArray("batch_dependent");
            if (d != null) {
                d.forEach(x -> batchDependent.add(x.getAsString()));
            }
            String choice = o.get("choice").getAsString();
            if (!seconds.containsKey(choice)) {
                throw new IllegalArgumentException("choice " + choice + " was not timed");
            }
            return new KernelMeasurement(o.get("kind").getAsString(), o.get("shape").getAsString(),
                    o.get("rows").getAsLong(), o.get("flops").getAsDouble(), seconds, rejected, batchDependent, choice,
                    o.has("source") ? o.get("source").getAsString() : "cached");
        } catch (NullPointerException | ClassCastException | IllegalStateException | UnsupportedOperationException
                | NumberFormatException e) {
            throw new IllegalArgumentException("malformed kernel measurement " + o + ": " + e, e);
        }
    }
}
