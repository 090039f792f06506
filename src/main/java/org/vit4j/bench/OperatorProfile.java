package org.vit4j.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The operator table of a libtorch profiler trace (the Chrome trace that DJL's {@code
 * JniUtils.stopProfile(file)} writes): calls, total and self time per operator name. Operators
 * nest ({@code aten::linear} calls {@code aten::addmm}), so the self time — an operator's time
 * minus its children's on the same thread — is what adds up to the forward's time.
 */
public final class OperatorProfile {

    /**
     * One operator.
     *
     * @param name e.g. {@code aten::addmm} or {@code mkldnn::_linear_pointwise}
     * @param calls how often it ran
     * @param totalMs time inside it, children included
     * @param selfMs time inside it less its children's
     */
    public record Row(String name, long calls, double totalMs, double selfMs) {}

    private OperatorProfile() {}

    /**
     * Reads a trace.
     *
     * @param trace the trace file (a JSON array of events, or an object with {@code traceEvents})
     * @return operators by self time, largest first
     * @throws IOException if the file cannot be read
     */
    public static List<Row> read(Path trace) throws IOException {
        JsonElement root = JsonParser.parseString(Files.readString(trace));
        JsonArray events = root.isJsonArray() ? root.getAsJsonArray() : root.getAsJsonObject().getAsJsonArray("traceEvents");
        return rows(events);
    }

    /**
     * The table of parsed events: complete events ({@code "ph": "X"}) with {@code name}, {@code
     * ts}, {@code dur} (microseconds) and {@code tid}.
     *
     * @param events the events
     * @return operators by self time, largest first
     */
    public static List<Row> rows(JsonArray events) {
        record Event(String name, Object tid, double ts, double dur) {}
        Map<String, List<Event>> byThread = new HashMap<>();
        for (JsonElement e : events) {
            JsonObject o = e.getAsJsonObject();
            if (!o.has("ph") || !o.get("ph").getAsString().equals("X") || !o.has("dur")) {
                continue;
            }
            String tid = o.has("tid") ? o.get("tid").getAsString() : "";
            byThread.computeIfAbsent(tid, k -> new ArrayList<>()).add(new Event(o.get("name").getAsString(), tid,
                    o.get("ts").getAsDouble(), o.get("dur").getAsDouble()));
        }
        Map<String, double[]> acc = new LinkedHashMap<>(); // name -> calls, total us, self us
        for (List<Event> list : byThread.values()) {
            list.sort(Comparator.comparingDouble(Event::ts).thenComparing(Comparator.comparingDouble(Event::dur).reversed()));
            Deque<Event> open = new ArrayDeque<>();
            Map<Event, Double> children = new IdentityHashMap<>(); // equal events stay apart
            for (Event e : list) {
                while (!open.isEmpty() && open.peek().ts() + open.peek().dur() <= e.ts()) {
                    open.pop();
                }
                if (!open.isEmpty()) {
                    children.merge(open.peek(), e.dur(), Double::sum);
                }
                open.push(e);
            }
            for (Event e : list) {
                double[] a = acc.computeIfAbsent(e.name(), k -> new double[3]);
                a[0]++;
                a[1] += e.dur();
                a[2] += e.dur() - children.getOrDefault(e, 0.0);
            }
        }
        List<Row> rows = new ArrayList<>();
        acc.forEach((name, a) -> rows.add(new Row(name, (long) a[0], a[1] / 1000, a[2] / 1000)));
        rows.sort(Comparator.comparingDouble(Row::selfMs).reversed());
        return rows;
    }

    /**
     * A markdown table of the largest operators by self time, per pass.
     *
     * @param rows operators by self time
     * @param top how many to show
     * @param passes the profiled passes (times are divided by it)
     * @return the table, with each operator's share of all self time
     */
    public static String table(List<Row> rows, int top, int passes) {
        double all = rows.stream().mapToDouble(Row::selfMs).sum();
        StringBuilder sb = new StringBuilder(
                "| operator | calls per pass | self ms per pass | share | total ms per pass |\n|---|---:|---:|---:|---:|\n");
        for (Row r : rows.subList(0, Math.min(top, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.2f | %.1f %% | %.2f |%n", r.name(),
                    (double) r.calls() / passes, r.selfMs() / passes, 100 * r.selfMs() / all, r.totalMs() / passes));
        }
        sb.append(String.format(Locale.ROOT, "| all operators | | %.2f | 100 %% | |%n", all / passes));
        return sb.toString();
    }
}
