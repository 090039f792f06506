package org.vit4j.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.cli.CliRun;
import org.vit4j.cli.ExitCodes;
import org.vit4j.image.ImageLoader;

/**
 * The job's directory filter picks the files {@code vit4j predict} picks in a directory; words no
 * command takes and an input that names nothing are usage errors before Spark starts.
 */
class PredictJobTest {

    @TempDir Path tmp;

    @Test
    void aMissingInputIsRefusedBeforeSparkStarts() {
        assumeTrue(SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty(),
                "a session is running: the job would use it");
        // a session started with this master fails: the usage error shows that no session was started
        String old = System.getProperty("spark.master");
        System.setProperty("spark.master", "no-such-master");
        try {
            for (String missing : new String[] {tmp.resolve("nope").toString(), tmp.resolve("no-*.png").toString(),
                "file:" + tmp.resolve("nope")}) {
                CliRun r = CliRun.run(SparkJob::commandLine, "predict", "--input", missing, "--output", tmp.resolve("out").toString());
                assertEquals(ExitCodes.USAGE, r.code(), r.err());
                assertTrue(r.err().contains("vit4j spark predict: --input " + missing + ": no such file or directory\n"
                        + "Try 'vit4j spark predict --help' for the options."), r.err());
                assertFalse(r.err().contains("Master URL"), r.err());
            }
        } finally {
            if (old == null) {
                System.clearProperty("spark.master");
            } else {
                System.setProperty("spark.master", old);
            }
        }
    }

    @Test
    void anUnknownCommandIsNamed() {
        CliRun r = CliRun.run(SparkJob::commandLine, "bogus");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertTrue(r.err().contains("vit4j spark: bogus: unknown command; the commands are predict\n"), r.err());
    }

    @Test
    void imageGlobAgreesWithTheLoaderOnEveryExtensionAndCase() {
        GlobPattern glob = new GlobPattern(PredictJob.imageGlob()); // Hadoop's, as pathGlobFilter uses it
        List<String> names = new ArrayList<>(List.of("a.txt", "a.png.bak", "png", "a.jpg2", "a.pn", ".png", "a b.PnG"));
        for (String ext : PredictJob.EXTENSIONS) {
            names.add("a." + ext);
            names.add("a." + ext.toUpperCase());
            names.add("a." + Character.toUpperCase(ext.charAt(0)) + ext.substring(1));
        }
        int images = 0;
        for (String n : names) {
            boolean loader = ImageLoader.isImageFile(Path.of(n));
            assertEquals(loader, glob.matches(n), n);
            images += loader ? 1 : 0;
        }
        assertEquals(3 * PredictJob.EXTENSIONS.size() + 2, images); // ".png" and "a b.PnG" are image names too
    }
}
