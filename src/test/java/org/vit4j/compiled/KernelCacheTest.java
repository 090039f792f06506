package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * The cache of measured kernel choices: entries round-trip through the file, a corrupt or
 * unreadable file is ignored with one note, a failed write is a note, and a load whose shapes are
 * in the cache takes the cached choices without measuring (so they decide, whatever this machine
 * would measure now).
 */
class KernelCacheTest {

    private static final CpuFeatures CPU = new CpuFeatures("AMD EPYC 7B13", "AuthenticAMD family 25 model 1",
            Set.of("avx2", "fma", "sse4_2"));

    @TempDir
    Path dir;

    private static KernelMeasurement sample() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("aten", 2.0e-3);
        s.put("onednn-packed", 1.5e-3);
        return new KernelMeasurement("linear", "3072x768", 197, 2.0 * 197 * 3072 * 768, s, List.of("mkl-packed"),
                List.of("aten"), "onednn-packed", "measured");
    }

    @Test
    void entriesRoundTripThroughTheFile() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(err, true, StandardCharsets.UTF_8);
        KernelCache empty = KernelCache.open(dir.resolve("sub"), ps);
        String key = KernelCache.key(CPU, "2.7.1", 2, Precision.FP32, "linear 3072x768", 197);
        assertTrue(empty.get(key).isEmpty());
        empty.put(key, sample());
        empty.save(); // creates the directory
        KernelCache back = KernelCache.open(dir.resolve("sub"), ps);
        assertEquals(sample().withSource("cached"), back.get(key).orElseThrow());
        assertEquals("", err.toString(StandardCharsets.UTF_8), "a missing file is no news");
        assertEquals(1e-9 * 2.0 * 197 * 3072 * 768 / 1.5e-3, back.get(key).orElseThrow().gflops("onednn-packed"), 1e-9);
        assertTrue(KernelCache.key(CPU, "2.7.1", 2, Precision.FP32, "linear 3072x768", 197)
                .startsWith("AMD EPYC 7B13 | AuthenticAMD family 25 model 1 | flags "), key);
        // every part of the key separates entries
        assertFalse(back.get(KernelCache.key(CPU, "2.7.1", 1, Precision.FP32, "linear 3072x768", 197)).isPresent());
        assertFalse(back.get(KernelCache.key(CPU, "2.8.0", 2, Precision.FP32, "linear 3072x768", 197)).isPresent());
        assertFalse(back.get(KernelCache.key(CPU, "2.7.1", 2, Precision.FP32, "linear 3072x768", 394)).isPresent());
        assertFalse(back.get(KernelCache.key(new CpuFeatures(CPU.model(), CPU.family(), Set.of("avx2")), "2.7.1", 2,
                Precision.FP32, "linear 3072x768", 197)).isPresent());
    }

    @Test
    void theChoiceIsTheFastestRouteWhoseResultsDoNotChangeWithTheBatch() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("aten", 3e-3);
        s.put("onednn-packed", 2e-3);
        s.put("mkl-packed", 1e-3);
        assertEquals("mkl-packed", KernelMeasurement.fastest(s, List.of()));
        assertEquals("onednn-packed", KernelMeasurement.fastest(s, List.of("mkl-packed")));
        assertEquals("aten", KernelMeasurement.fastest(s, List.of("mkl-packed", "onednn-packed")));
        assertEquals("aten", KernelMeasurement.fastest(s, List.of("aten", "mkl-packed", "onednn-packed")),
                "where every route changes with the batch, aten, as before routes were measured");
        s.remove("aten");
        assertEquals("mkl-packed", KernelMeasurement.fastest(s, List.of("mkl-packed", "onednn-packed")));
        assertTrue(sample().describe().contains("aten 2.000 ms 464.8 GFLOP/s (changes with the batch), onednn-packed 1.500 ms"),
                sample().describe());
    }

    @Test
    void aCorruptFileIsIgnoredWithOneNote() throws IOException {
        for (String text : List.of("{not json", "{\"format\": 99, \"entries\": {}}", "[]",
                "{\"format\": 1, \"entries\": {\"k\": {\"kind\": \"linear\", \"shape\": \"4x4\", \"rows\": 1,"
                        + " \"flops\": 32, \"seconds\": {\"aten\": 1e-6}, \"choice\": \"mkl-packed\"}}}")) {
            Files.writeString(dir.resolve(KernelCache.FILE), text);
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            KernelCache c = KernelCache.open(dir, new PrintStream(err, true, StandardCharsets.UTF_8));
            assertTrue(c.get("k").isEmpty(), text);
            List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(1, lines.size(), text + ": " + lines);
            assertTrue(lines.get(0).startsWith("vit4j: kernel cache " + dir.resolve(KernelCache.FILE) + " ignored ("),
                    lines.get(0));
            assertTrue(lines.get(0).endsWith("); kernels are measured again"), lines.get(0));
            // the next write replaces it
            c.put("k", sample());
            c.save();
            assertTrue(KernelCache.open(dir, new PrintStream(new ByteArrayOutputStream())).get("k").isPresent(), text);
        }
    }

    @Test
    void aFailedWriteIsANoteNotAFailure() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        KernelCache c = KernelCache.open(notADirectory, new PrintStream(err, true, StandardCharsets.UTF_8));
        c.put("k", sample());
        assertDoesNotThrow(c::save);
        List<String> lines = err.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), lines.toString()); // unreadable, then not written
        assertTrue(lines.get(0).startsWith("vit4j: kernel cache " + notADirectory.resolve(KernelCache.FILE) + " ignored ("),
                lines.get(0));
        assertTrue(lines.get(1).startsWith("vit4j: kernel cache " + notADirectory.resolve(KernelCache.FILE) + " not written ("),
                lines.get(1));
    }

    @Test
    void theTestsCacheIsInTheBuildNotTheUsers() {
        assertEquals(Path.of(System.getProperty(KernelCache.DIRECTORY_PROPERTY)), KernelCache.defaultDirectory());
    }

    /** Rewrites every cached choice of a kind to a route, where that route was timed; returns how many. */
    private int rewrite(String kind, String route) throws IOException {
        Path file = dir.resolve(KernelCache.FILE);
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        int n = 0;
        for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("entries").entrySet()) {
            JsonObject o = e.getValue().getAsJsonObject();
            if (o.get("kind").getAsString().equals(kind) && o.getAsJsonObject("seconds").has(route)) {
                o.addProperty("choice", route);
                n++;
            }
        }
        Files.writeString(file, root.toString());
        return n;
    }

    @Test
    void aCachedChoiceDecidesWithoutMeasuring() throws IOException {
        ViTConfig config = ViTConfig.builder().setImageSize(32, 32).setPatchSize(8).optChannels(3).setWidth(32)
                .setDepth(2).setHeads(4).setNumClasses(10).build();
        Precision.Choice fp32 = new Precision.Choice(Precision.FP32, "test");
        KernelOptions options = KernelOptions.builder().optBatch(2).optCacheDirectory(dir).build();
        try (VitModel model = TestModels.create(config, 3)) {
            try (CompiledVit c = CompiledVit.compile(model.getBlock(), fp32, options, model.getModel().getNDManager())) {
                List<KernelMeasurement> first = c.routes().measurements();
                // shapes 32x192 (patch), 96x32, 32x32, 128x32, 32x128, 10x32; one attention shape
                assertEquals(List.of("192", "32", "32", "32", "128", "32"),
                        first.stream().filter(k -> k.kind().equals("linear")).map(k -> k.shape().split("x")[1]).toList());
                assertEquals(List.of("2x4x17x8"), first.stream().filter(k -> k.kind().equals("attention"))
                        .map(KernelMeasurement::shape).toList());
                assertTrue(first.stream().allMatch(k -> k.source().equals("measured")), first.toString());
                assertTrue(first.stream().allMatch(k -> k.rows() == (k.kind().equals("linear") ? 34 : 2)), first.toString());
            }
            for (String route : List.of("aten", "mkl-packed", "onednn-packed")) {
                int n = rewrite("linear", route);
                if (n < 6) {
                    continue; // a route this CPU rejects for a shape is never a cached choice
                }
                String attention = route.equals("aten") ? "matmul" : "flash";
                assertEquals(1, rewrite("attention", attention));
                try (CompiledVit c = CompiledVit.compile(model.getBlock(), fp32, options, model.getModel().getNDManager())) {
                    assertEquals(Set.of(route), Set.copyOf(c.routes().linear().values()), c.routes().describeLinear());
                    assertEquals(attention, c.routes().attention());
                    assertTrue(c.routes().measurements().stream().allMatch(k -> k.source().equals("cached")),
                            c.routes().measurements().toString());
                }
            }
        }
    }
}
