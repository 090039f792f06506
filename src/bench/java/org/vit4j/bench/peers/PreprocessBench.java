package org.vit4j.bench.peers;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.vit4j.image.ImageLoadException;

/**
 * JPEG file to 224×224 tokens ({@link PreprocessPipeline}); one operation = one image, taken in turn
 * from the set. Run with 1 thread and with one thread per core (the launcher sets JMH's thread count);
 * each thread has its own pipeline.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PreprocessBench {

    /** Image set, see {@link BenchFiles#SETS}. */
    @Param({"sample", "640x427", "1280x853"})
    public String set;

    private PreprocessPipeline pipeline;
    private List<Path> files;
    private int next;

    /** Opens the pipeline and lists the files. */
    @Setup(Level.Trial)
    public void setUp() {
        pipeline = new PreprocessPipeline();
        files = BenchFiles.fromProperties().imageSet(set);
    }

    /**
     * Preprocesses the next image of the set.
     *
     * @return the tokens
     * @throws ImageLoadException if a file cannot be decoded
     */
    @Benchmark
    public float[] preprocess() throws ImageLoadException {
        Path f = files.get(next);
        next = (next + 1) % files.size();
        return pipeline.tokens(f);
    }

    /** Closes the pipeline. */
    @TearDown(Level.Trial)
    public void tearDown() {
        pipeline.close();
    }
}
