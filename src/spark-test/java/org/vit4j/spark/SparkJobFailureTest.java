package org.vit4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.cli.ExitCodes;

/**
 * {@code vit4j spark predict} fails as {@code vit4j predict} does, through the job's own entry
 * point: usage errors in the CLI's form before Spark starts, one line and no stack trace for a
 * failed job, and nothing left behind that blocks the rerun.
 */
class SparkJobFailureTest {

    @TempDir static Path tmp;
    static SparkSession spark;
    static Path samples;

    @BeforeAll
    static void setUp() throws Exception {
        samples = tmp.resolve("samples");
        LocalSpark.copySamples(samples);
        spark = LocalSpark.start("local[2]");
    }

    @AfterAll
    static void tearDown() {
        if (spark != null) {
            spark.stop();
        }
    }

    private static void usage(String message, String... args) {
        LocalSpark.JobRun r = LocalSpark.job(args);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j spark predict: " + message, r.errorLine());
        assertTrue(r.err().contains("Try 'vit4j spark predict --help' for the options."), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void badOptionsAreUsageErrorsInTheCliForm() throws IOException {
        String in = samples.toString();
        String out = tmp.resolve("never").toString();
        usage("--top-k 0: must be at least 1", "predict", "--input", in, "--output", out, "--top-k", "0");
        usage("--batch-size 999999999999: must be at most 2147483647", "predict", "--input", in, "--output", out,
                "--batch-size", "999999999999");
        usage("--partitions 0: must be at least 1", "predict", "--input", in, "--output", out, "--partitions", "0");
        usage("--format csv: valid: parquet, json", "predict", "--input", in, "--output", out, "--format", "csv");
        usage("--device tpu: valid: cpu, gpu, auto", "predict", "--input", in, "--output", out, "--device", "tpu");
        usage("--master bogus: not a Spark master URL (local[*], local[N], spark://HOST:PORT, yarn, k8s://URL)",
                "predict", "--master", "bogus", "--input", in, "--output", out);
        usage("--output " + in + ": exists; choose a new directory (Spark writes a new one)",
                "predict", "--input", in, "--output", in);
        Path missing = tmp.resolve("no-such-dir");
        usage("--output " + missing.resolve("o") + ": directory " + missing + " does not exist",
                "predict", "--input", in, "--output", missing.resolve("o").toString());
        assertFalse(Files.exists(missing), "not created");
        Path file = Files.writeString(tmp.resolve("plain.txt"), "x");
        usage("--output " + file.resolve("o") + ": " + file + " is not a directory",
                "predict", "--input", in, "--output", file.resolve("o").toString());
        assertFalse(Files.exists(Path.of(out)));
    }

    @Test
    void versionOnEveryCommand() {
        for (String[] args : new String[][] {{"--version"}, {"predict", "--version"}, {"predict", "-V"}}) {
            LocalSpark.JobRun r = LocalSpark.job(args);
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(r.out().startsWith("vit4j "), String.join(" ", args) + ": " + r.out());
        }
    }

    @Test
    void aFailedJobIsOneLineAndLeavesNothingBehind() {
        Path out = tmp.resolve("out-failed");
        TestHooks.afterRow = rows -> {
            throw new IllegalStateException("injected fault");
        };
        LocalSpark.JobRun r;
        try {
            r = LocalSpark.job("predict", "--input", samples.toString(), "--output", out.toString());
        } finally {
            TestHooks.afterRow = null;
        }
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        String line = r.errorLine();
        assertTrue(line.startsWith("vit4j spark predict: the Spark job failed: "), line);
        assertTrue(line.endsWith("; the unfinished " + out + " was removed"), line);
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
        assertFalse(Files.exists(out), "nothing left to block the rerun");
        LocalSpark.JobRun again = LocalSpark.job("predict", "--input", samples.toString(), "--output", out.toString());
        assertEquals(ExitCodes.OK, again.code(), again.err());
    }

    @Test
    void whatAnInterruptedRunLeftDoesNotBlockTheRerun() throws IOException {
        // Ctrl-C before the first file was written leaves an empty directory, or Spark's _temporary
        Path empty = Files.createDirectories(tmp.resolve("out-empty"));
        Path partial = Files.createDirectories(tmp.resolve("out-partial").resolve("_temporary").resolve("0"));
        for (Path out : new Path[] {empty, partial.getParent().getParent()}) {
            LocalSpark.JobRun r = LocalSpark.job("predict", "--input", samples.toString(), "--output", out.toString());
            assertEquals(ExitCodes.OK, r.code(), r.err());
            assertTrue(r.err().contains("vit4j spark predict: note: removed " + out + ", the unfinished output of an interrupted run"),
                    r.err());
            assertTrue(Files.exists(out.resolve("_SUCCESS")));
        }
    }
}
