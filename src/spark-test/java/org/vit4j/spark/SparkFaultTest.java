package org.vit4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
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
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;

/**
 * Faults in {@code local[2,20]} (two task threads, 20 attempts per task before Spark gives up): a
 * task that fails mid-partition is retried and every image is in the output exactly once; a model
 * that an executor cannot read cancels the stage at its first failure instead of after 20.
 */
class SparkFaultTest {

    private static final int MAX_ATTEMPTS = 20;

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path samples;
    static Map<String, JsonObject> cli;
    /** Failed task attempts, by the exception class that failed them. */
    static final Map<String, AtomicInteger> FAILED = new HashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        samples = tmp.resolve("samples");
        LocalSpark.copySamples(samples);
        cli = new HashMap<>();
        for (JsonObject o : CliRun.run("predict", "--format", "json", samples.toString()).jsonLines()) {
            cli.put(o.get("path").getAsString(), o);
        }
        spark = LocalSpark.start("local[2," + MAX_ATTEMPTS + "]");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.reason() instanceof ExceptionFailure f) {
                    synchronized (FAILED) {
                        FAILED.computeIfAbsent(f.className(), c -> new AtomicInteger()).incrementAndGet();
                    }
                }
            }
        });
    }

    @AfterAll
    static void tearDown() {
        TestHooks.afterRow = null;
        if (spark != null) {
            spark.stop();
        }
    }

    private static int failed(Class<?> c) throws Exception {
        // listener events arrive asynchronously: wait until Spark's listener bus has delivered them
        spark.sparkContext().listenerBus().waitUntilEmpty();
        synchronized (FAILED) {
            AtomicInteger n = FAILED.get(c.getName());
            return n == null ? 0 : n.get();
        }
    }

    @Test
    void taskFailingMidPartitionIsRetriedAndEachImageWrittenOnce() throws Exception {
        AtomicInteger fired = new AtomicInteger();
        TestHooks.afterRow = rows -> {
            if (rows == 3 && TaskContext.get().attemptNumber() == 0) {
                fired.incrementAndGet();
                throw new IllegalStateException("injected fault after 3 rows of partition " + TaskContext.getPartitionId());
            }
        };
        Path out = tmp.resolve("out-retry");
        LocalSpark.JobRun run;
        try {
            run = LocalSpark.job("predict", "--input", samples.toString(), "--output", out.toString(),
                    "--partitions", "3", "--batch-size", "2");
        } finally {
            TestHooks.afterRow = null;
        }
        assertEquals(ExitCodes.OK, run.code(), run.err());
        assertTrue(run.out().startsWith("13 rows, 0 errors, "), run.out());
        // 13 files in 3 tasks (4, 4 and 5 rows): every first attempt failed after its third row
        assertEquals(3, fired.get());
        assertEquals(3, failed(IllegalStateException.class));
        Map<String, Row> rows = LocalSpark.byPath(spark.read().parquet(out.toString()).collectAsList()); // once each
        assertEquals(cli.keySet(), rows.keySet());
        for (Map.Entry<String, Row> e : rows.entrySet()) {
            JsonObject best = cli.get(e.getKey()).getAsJsonArray("predictions").get(0).getAsJsonObject();
            Row r = e.getValue();
            assertEquals(best.get("label").getAsString(), r.getString(r.fieldIndex("label")), e.getKey());
            assertEquals(best.get("probability").getAsDouble(), r.getDouble(r.fieldIndex("probability")), 1e-6);
        }
    }

    @Test
    void modelAnExecutorCannotReadCancelsTheStageAtTheFirstFailure() throws Exception {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        ModelFiles bundled = BundledModel.files();
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.LABELS, ModelDirectory.WEIGHTS,
                ModelDirectory.CHECKSUMS, ModelDirectory.SERVING)) {
            Files.write(model.resolve(f), bundled.read(f));
        }
        VitClassifierTransformer t = new VitClassifierTransformer();
        t.setModelDir(model.toString()).setInputCol("path");
        Dataset<Row> paths = spark.read().format("binaryFile").load(samples.toString()).select("path").repartition(4);
        Dataset<Row> result = t.transform(paths); // the driver's check passes: the files are intact

        // now the executors see corrupt weights (one flipped byte; the checksum no longer matches)
        Path weights = model.resolve(ModelDirectory.WEIGHTS);
        byte[] w = Files.readAllBytes(weights);
        w[w.length - 1] ^= 0x01;
        Files.write(weights, w);
        ExecutorModels.forget(t.modelSource());
        try {
            Exception e = assertThrows(Exception.class, () -> result.write().parquet(tmp.resolve("out-model").toString()));
            String firstError = ModelFailureListener.register(spark.sparkContext()).firstError();
            assertTrue(firstError.startsWith("cannot load model: " + weights + ": SHA-256 "), firstError);
            assertTrue(firstError.endsWith("in checksums.sha256 (file corrupt or changed)"), firstError);
            assertTrue(String.valueOf(e.getMessage()).contains(firstError), e.getMessage());
            int attempts = failed(ModelUnavailableException.class);
            // without the cancellation one task alone would fail MAX_ATTEMPTS times
            assertTrue(attempts >= 1 && attempts < MAX_ATTEMPTS, attempts + " failed attempts");
        } finally {
            ExecutorModels.forget(t.modelSource());
        }
    }
}
