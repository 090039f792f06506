package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code bench} and {@code info} say which kernel route each weight shape got and what every
 * route measured; {@code bench --kernel-probe} prints each route's GFLOP/s for the model's largest
 * linear shape. The numbers vary by machine: these tests check the lines' form, never which route
 * wins.
 */
class BenchKernelsTest {

    private static final String ROUTE = "(aten|onednn-packed|mkl-packed)";
    private static final String TIMED = ROUTE + " [0-9.]+ ms [0-9.]+ GFLOP/s( \\(changes with the batch\\))?";

    @Test
    void theKernelProbePrintsEveryShapeAndTheLargestLinearShapesRates() {
        CliRun r = run("bench", "--variant", "micro", "--kernel-probe");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("kernel probe of micro batch 1 (compiled"), lines.get(0));
        Pattern linear = Pattern.compile("  linear \\d+x\\d+ at \\d+ rows \\(measured\\): " + TIMED + "(, " + TIMED
                + "|, " + ROUTE + " disagrees with aten::linear)* -> " + ROUTE);
        Pattern attention = Pattern.compile("  attention 1x\\d+x\\d+x\\d+ at 1 images \\(measured\\): flash [0-9.]+ ms [0-9.]+"
                + " GFLOP/s, matmul [0-9.]+ ms [0-9.]+ GFLOP/s -> (flash|matmul)");
        assertTrue(lines.stream().anyMatch(l -> linear.matcher(l).matches()), r.out());
        assertTrue(lines.stream().filter(l -> l.startsWith("  linear ")).allMatch(l -> linear.matcher(l).matches()), r.out());
        assertEquals(1, lines.stream().filter(l -> attention.matcher(l).matches()).count(), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("largest linear shape \\d+x\\d+ at \\d+ rows, GFLOP/s: aten [0-9.]+"
                + "(, (onednn-packed|mkl-packed) [0-9.]+)*")), r.out());

        CliRun j = run("bench", "--variant", "micro", "--kernel-probe", "--format", "json");
        assertEquals(0, j.code(), j.err());
        JsonObject o = JsonParser.parseString(j.out()).getAsJsonObject();
        assertEquals("kernel-probe", o.get("mode").getAsString());
        JsonObject largest = o.getAsJsonObject("largest_linear");
        assertTrue(largest.getAsJsonObject("gflops").get("aten").getAsDouble() > 0, largest.toString());
        assertTrue(largest.getAsJsonObject("seconds").has(largest.get("choice").getAsString()), largest.toString());
        for (JsonElement e : o.getAsJsonArray("kernel_measurements")) {
            assertEquals("measured", e.getAsJsonObject().get("source").getAsString(), "--kernel-probe measures again");
        }
    }

    @Test
    void benchAndInfoNameEachShapesRoute() {
        CliRun r = run("bench", "--variant", "micro", "--seconds", "0.2", "--format", "json");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertTrue(o.get("linear_kernels").getAsString().matches("auto \\(auto: fp32, measured per weight shape\\) at \\d+ rows: "
                + "\\d+x\\d+ " + ROUTE + " \\(\\d+ layers?\\)(, \\d+x\\d+ " + ROUTE + " \\(\\d+ layers?\\))*"), o.toString());
        assertTrue(o.get("attention_kernel").getAsString().matches("flash|matmul"), o.toString());
        JsonArray ks = o.getAsJsonArray("kernel_measurements");
        assertTrue(ks.size() >= 2, o.toString());
        for (JsonElement e : ks) {
            JsonObject k = e.getAsJsonObject();
            assertTrue(k.getAsJsonObject("seconds").has(k.get("choice").getAsString()), k.toString());
        }

        CliRun forced = run("bench", "--variant", "micro", "--seconds", "0.2", "--linear-kernel", "mkl",
                "--attention-kernel", "matmul");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().lines().anyMatch(l -> l.matches("  linear kernels: mkl \\(mkl requested\\) at \\d+ rows: .*")),
                forced.out());
        assertTrue(forced.out().lines().anyMatch(l -> l.equals("  attention: matmul")), forced.out());
        assertTrue(forced.out().lines().noneMatch(l -> l.startsWith("  kernel ")), "forced kernels are not measured: " + forced.out());

        CliRun info = run("info");
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().lines().anyMatch(l -> l.matches("attention:    (flash|matmul)")), info.out());
        assertTrue(info.out().lines().anyMatch(l -> l.matches("kernel:       linear \\d+x\\d+ at \\d+ rows \\((measured|cached)\\): .*")),
                info.out());
    }
}
