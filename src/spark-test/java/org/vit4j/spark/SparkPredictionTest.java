package org.vit4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.cli.CliRun;
import org.vit4j.cli.ExitCodes;
import org.vit4j.infer.BundledModel;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.ModelDirectory;
import org.vit4j.reliability.SparkCorpus;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The Spark job and stages in {@code local[2]} against {@code vit4j predict} on the same files:
 * {@code sample-images/} plus the hostile-input corpus. Every file gives one row with the CLI's
 * labels, probabilities (within 1e-6) and error reasons.
 */
class SparkPredictionTest {

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path input;
    static int files;
    /** What {@code vit4j predict --format json} says about every file, by path. */
    static Map<String, JsonObject> cli;

    @BeforeAll
    static void setUp() throws Exception {
        input = tmp.resolve("in");
        files = LocalSpark.copySamples(input.resolve("samples")) + SparkCorpus.write(input.resolve("corpus"));
        CliRun run = CliRun.run("predict", "--format", "json", "--top-k", "3", input.toString());
        assertEquals(ExitCodes.SOME_FAILED, run.code(), run.err());
        cli = new HashMap<>();
        for (JsonObject o : run.jsonLines()) {
            cli.put(o.get("path").getAsString(), o);
        }
        assertEquals(files, cli.size(), "the CLI lists every file once");
        spark = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static long cliErrors() {
        return cli.values().stream().filter(o -> o.has("error")).count();
    }

    /** Every row matches the CLI's line for the same file. */
    private static void assertSameAsCli(Map<String, Row> rows) {
        assertSameAs(cli, rows);
    }

    private static void assertSameAs(Map<String, JsonObject> expected, Map<String, Row> rows) {
        assertEquals(expected.keySet(), rows.keySet());
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            JsonObject want = expected.get(e.getKey());
            Row r = e.getValue();
            String error = r.getString(r.fieldIndex("error"));
            if (want.has("error")) {
                assertEquals(want.get("error").getAsString(), error, e.getKey());
                assertTrue(r.isNullAt(r.fieldIndex("label")), e.getKey());
                continue;
            }
            assertNull(error, e.getKey());
            JsonArray preds = want.getAsJsonArray("predictions");
            List<Row> top = r.getList(r.fieldIndex("top_k"));
            assertEquals(preds.size(), top.size(), e.getKey());
            for (int k = 0; k < top.size(); k++) {
                JsonObject p = preds.get(k).getAsJsonObject();
                assertEquals(p.get("label").getAsString(), top.get(k).getString(0), e.getKey());
                assertEquals(p.get("index").getAsInt(), top.get(k).getInt(1), e.getKey());
                assertEquals(p.get("probability").getAsDouble(), top.get(k).getDouble(2), 1e-6, e.getKey());
            }
            JsonObject best = preds.get(0).getAsJsonObject();
            assertEquals(best.get("label").getAsString(), r.getString(r.fieldIndex("label")), e.getKey());
            assertEquals(best.get("index").getAsInt(), r.getInt(r.fieldIndex("index")), e.getKey());
            assertEquals(best.get("probability").getAsDouble(), r.getDouble(r.fieldIndex("probability")), 1e-6);
        }
    }

    @Test
    void jobWritesTheCliAnswerForEveryFile() {
        Path out = tmp.resolve("out-job");
        LocalSpark.JobRun run = LocalSpark.job("predict", "--input", input.toString(), "--output", out.toString(),
                "--partitions", "3", "--batch-size", "4");
        assertEquals(ExitCodes.SOME_FAILED, run.code(), run.err());
        Matcher m = Pattern.compile("^(\\d+) rows, (\\d+) errors, [0-9.]+ images/s").matcher(run.out());
        assertTrue(m.find(), run.out());
        assertEquals(files, Integer.parseInt(m.group(1)));
        assertEquals(cliErrors(), Long.parseLong(m.group(2)));
        assertTrue(cliErrors() >= 15 && cliErrors() < files, "the corpus has bad and good files: " + cliErrors());
        assertSameAsCli(LocalSpark.byPath(spark.read().parquet(out.toString()).collectAsList()));
    }

    @Test
    void binaryContentColumnGivesTheSameAnswers() {
        Dataset<Row> bytes = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .load(input.toString());
        List<Row> rows = new VitClassifierTransformer().setTopK(3).setInputCol("content").setBatchSize(5)
                .transform(bytes).drop("content").collectAsList();
        Map<String, Row> byPath = LocalSpark.byPath(rows);
        // Spark's file scan drops empty files before any stage sees them (the job lists paths instead)
        String empty = input.resolve("corpus/empty.png").toString();
        assertEquals(Set.of(empty), difference(cli.keySet(), byPath.keySet()));
        assertEquals("file is empty (0 bytes)", cli.get(empty).get("error").getAsString());
        Map<String, JsonObject> want = new HashMap<>(cli);
        want.remove(empty);
        assertSameAs(want, byPath);
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        Set<String> d = new HashSet<>(a);
        d.removeAll(b);
        return d;
    }

    @Test
    void jsonOutputAndAllGoodInputsExitZero() {
        Path out = tmp.resolve("out-json");
        LocalSpark.JobRun run = LocalSpark.job("predict", "--input", input.resolve("samples").toString(),
                "--output", out.toString(), "--format", "json", "--top-k", "2");
        assertEquals(ExitCodes.OK, run.code(), run.err());
        assertTrue(run.out().startsWith("13 rows, 0 errors, "), run.out());
        List<Row> rows = spark.read().json(out.toString()).collectAsList();
        // a glob is taken as it is (no directory search): the three JPEG photos
        LocalSpark.JobRun glob = LocalSpark.job("predict", "--input", input.resolve("samples") + "/*.jpg",
                "--output", tmp.resolve("out-glob").toString());
        assertEquals(ExitCodes.OK, glob.code(), glob.err());
        assertEquals(cli.keySet().stream().filter(k -> k.contains("/samples/") && k.endsWith(".jpg")).count(),
                LocalSpark.byPath(spark.read().parquet(tmp.resolve("out-glob").toString()).collectAsList()).size());
        assertEquals(13, rows.size());
        for (Row r : rows) {
            assertEquals(2, r.getList(r.fieldIndex("top_k")).size());
        }
    }

    @Test
    void pooledVectorsAndTokensEqualTheLibrary() throws Exception {
        Path samples = input.resolve("samples");
        Path out = tmp.resolve("out-emb");
        LocalSpark.JobRun run = LocalSpark.job("predict", "--input", samples.toString(), "--output", out.toString(),
                "--pooled");
        assertEquals(ExitCodes.OK, run.code(), run.err());
        Map<String, Row> job = LocalSpark.byPath(spark.read().parquet(out.toString()).collectAsList());
        Dataset<Row> paths = spark.read().format("binaryFile").load(samples.toString()).select("path");
        Map<String, Row> tokens = LocalSpark.byPath(new VitEmbedderTransformer().setEncodedCol("encoded")
                .setEmbeddedCol("embedded").setInputCol("path").transform(paths).collectAsList());
        try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
            assertEquals(13, job.size());
            for (Map.Entry<String, Row> e : job.entrySet()) {
                Path file = Path.of(e.getKey());
                float[] want = model.encoder().pooled(file);
                assertArrayEquals(want, floats(e.getValue().getList(e.getValue().fieldIndex("pooled"))), 1e-5f);
                Row t = tokens.get(e.getKey());
                assertArrayEquals(want, floats(t.getList(t.fieldIndex("pooled"))), 1e-5f);
                assertTokens(model.encoder().encoded(file), t.getList(t.fieldIndex("encoded")));
                assertTokens(model.encoder().embedded(file), t.getList(t.fieldIndex("embedded")));
            }
        }
    }

    private static void assertTokens(float[][] want, List<scala.collection.Seq<Float>> got) {
        assertEquals(want.length, got.size());
        for (int i = 0; i < want.length; i++) {
            assertArrayEquals(want[i], floats(CollectionConverters.asJava(got.get(i))), 1e-5f);
        }
    }

    private static float[] floats(List<?> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) values.get(i)).floatValue();
        }
        return f;
    }

    @Test
    void unreadableModelFailsOnTheDriverWithTheCliMessage() {
        Path missing = tmp.resolve("no-such-model");
        String sample = input.resolve("samples").toString();
        String cliLine = CliRun.run("predict", "--model", missing.toString(), sample).errorLine();
        assertTrue(cliLine.startsWith("vit4j predict: cannot load model: "), cliLine);

        LocalSpark.JobRun run = LocalSpark.job("predict", "--model", missing.toString(), "--input", sample,
                "--output", tmp.resolve("out-nomodel").toString());
        assertEquals(ExitCodes.MODEL, run.code(), run.err());
        assertEquals(cliLine.replace("vit4j predict: ", "vit4j spark predict: "), run.errorLine());

        // the stage itself refuses before any job: transform() is lazy, so no task has run
        VitClassifierTransformer t = new VitClassifierTransformer();
        t.setModelDir(missing.toString()).setInputCol("path");
        Dataset<Row> paths = spark.read().format("binaryFile").load(sample).select("path");
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> t.transform(paths));
        assertEquals(cliLine.substring("vit4j predict: ".length()), e.getMessage());
    }

    @Test
    void modelFromAHadoopUriGivesTheSameAnswers() throws Exception {
        Path model = tmp.resolve("model-copy");
        Files.createDirectories(model);
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.LABELS, ModelDirectory.WEIGHTS,
                ModelDirectory.CHECKSUMS, ModelDirectory.SERVING)) {
            Files.write(model.resolve(f), BundledModel.files().read(f));
        }
        String uri = model.toUri().toString(); // file:///...: read through Hadoop's FileSystem
        assertTrue(uri.startsWith("file:"), uri);
        Dataset<Row> paths = spark.read().format("binaryFile").load(input.resolve("samples").toString()).select("path");
        VitClassifierTransformer t = new VitClassifierTransformer();
        t.setModelDir(uri).setInputCol("path");
        Map<String, JsonObject> samples = new HashMap<>(cli);
        samples.keySet().removeIf(k -> !k.contains("/samples/"));
        assertSameAs(samples, LocalSpark.byPath(t.transform(paths).collectAsList()));

        String missing = uri.replaceAll("/$", "") + "-missing";
        t.setModelDir(missing);
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> t.transform(paths));
        assertEquals("cannot load model: " + missing + ": model directory does not exist", e.getMessage());
    }

    @Test
    void badCommandLinesExitTwo() {
        String sample = input.resolve("samples").toString();
        LocalSpark.JobRun noInput = LocalSpark.job("predict", "--input", tmp.resolve("nothing-here").toString(),
                "--output", tmp.resolve("o1").toString());
        assertEquals(ExitCodes.USAGE, noInput.code(), noInput.err());
        assertTrue(noInput.errorLine().endsWith("nothing-here: no such file or directory"), noInput.errorLine());
        LocalSpark.JobRun topK = LocalSpark.job("predict", "--input", sample, "--output", tmp.resolve("o2").toString(),
                "--top-k", "11");
        assertEquals(ExitCodes.USAGE, topK.code(), topK.err());
        assertEquals("vit4j spark predict: top-k 11 must be between 1 and the model's 10 classes", topK.errorLine());
        LocalSpark.JobRun exists = LocalSpark.job("predict", "--input", sample, "--output", tmp.toString());
        assertEquals(ExitCodes.USAGE, exists.code(), exists.err());
        assertEquals("vit4j spark predict: --output " + tmp + ": exists; choose a new directory (Spark writes a new one)",
                exists.errorLine());
        LocalSpark.JobRun format = LocalSpark.job("predict", "--input", sample, "--output", tmp.resolve("o3").toString(),
                "--format", "csv");
        assertEquals(ExitCodes.USAGE, format.code(), format.err());
        assertEquals("vit4j spark predict: --format csv: valid: parquet, json", format.errorLine());
    }
}
