package org.vit4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.vit4j.cli.CliRun;
import org.vit4j.image.ImageLoader;
import org.vit4j.spark.cli.SparkJob;

/** Test helpers: a local Spark session, in-process runs of the job, output rows by file. */
final class LocalSpark {

    private LocalSpark() {}

    /**
     * A local session (UI off, few shuffle partitions).
     *
     * @param master e.g. {@code local[2]} or {@code local[2,4]} (4 attempts per task)
     * @return the session
     */
    static SparkSession start(String master) {
        return SparkSession.builder().master(master).appName("vit4j-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /**
     * One in-process run of {@code vit4j spark ARGS...} (uses the running session).
     *
     * @param code exit code
     * @param out standard output
     * @param err standard error
     */
    record JobRun(int code, String out, String err) {
        /** @return the job's own error line ({@code vit4j spark <command>: ...}) */
        String errorLine() {
            return err.lines().filter(l -> l.startsWith("vit4j spark ")).findFirst().orElseThrow(() -> new AssertionError(err));
        }
    }

    static JobRun job(String... args) {
        CliRun r = CliRun.run(SparkJob::commandLine, args);
        return new JobRun(r.code(), r.out(), r.err());
    }

    /**
     * Output rows keyed by the local path of their file (binaryFile writes {@code file:} URIs).
     *
     * @param rows the rows, with a {@code path} column
     * @return rows by path; a path seen twice fails
     */
    static Map<String, Row> byPath(List<Row> rows) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : rows) {
            String p = ImageInputs.localPath(r.getString(r.fieldIndex("path"))).toString();
            if (m.put(p, r) != null) {
                throw new AssertionError(p + " appears more than once in the output");
            }
        }
        return m;
    }

    /**
     * Copies the image files of {@code sample-images/} into a directory.
     *
     * @param to the directory (created)
     * @return how many were copied
     * @throws Exception if copying fails
     */
    static int copySamples(Path to) throws Exception {
        Files.createDirectories(to);
        int n = 0;
        try (Stream<Path> s = Files.list(Path.of("sample-images"))) {
            for (Path p : s.filter(ImageLoader::isImageFile).toList()) {
                Files.copy(p, to.resolve(p.getFileName().toString()));
                n++;
            }
        }
        return n;
    }
}
