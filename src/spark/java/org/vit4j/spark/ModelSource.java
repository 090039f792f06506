package org.vit4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.BundledModel;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.ModelFiles;

/**
 * Where an executor finds the model, and where and how it runs it (device, threads, forward engine
 * and precision): a value object, shipped to executors with each task and used as the key of
 * {@link ExecutorModels}.
 *
 * <ul>
 *   <li>{@code null} or empty location: the model bundled in the vit4j jar;
 *   <li>a URI with a scheme ({@code hdfs://nn/models/vit}, {@code s3a://bucket/vit},
 *       {@code file:///models/vit}): read through Hadoop's {@code FileSystem}, so every executor
 *       reads it from the same store;
 *   <li>anything else: a local directory, which must exist at that path on every executor.
 * </ul>
 */
public final class ModelSource implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Model directory or Hadoop URI; {@code null} for the bundled model. */
    private final String location;
    /** {@code cpu}, {@code gpu} or {@code auto}. */
    private final String device;
    /** Operator threads per executor JVM; 0 for the engine's default. */
    private final int threads;
    /** Which code runs the forward. */
    private final ForwardEngine engine;
    /** Number format of the compiled forward. */
    private final Precision precision;

    /**
     * Creates a model source.
     *
     * @param location model directory, Hadoop URI, or {@code null} for the bundled model
     * @param device {@code cpu}, {@code gpu} or {@code auto}
     * @param threads the engine's operator threads per executor JVM, or 0 for the engine's default
     *     (all cores); takes effect only if the engine has not started yet in that JVM
     */
    public ModelSource(String location, String device, int threads) {
        this(location, device, threads, ForwardEngine.COMPILED, Precision.FP32);
    }

    /**
     * Creates a model source with its forward.
     *
     * @param location model directory, Hadoop URI, or {@code null} for the bundled model
     * @param device {@code cpu}, {@code gpu} or {@code auto}
     * @param threads the engine's operator threads per executor JVM, or 0 for the engine's default
     * @param engine which code runs the forward (compiled falls back to eager where the model does not compile)
     * @param precision number format of the compiled forward ({@code bf16} and {@code int8} need the compiled one)
     */
    public ModelSource(String location, String device, int threads, ForwardEngine engine, Precision precision) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.precision = Objects.requireNonNull(precision, "precision");
        this.location = location == null || location.isBlank() ? null : location;
        this.device = Objects.requireNonNull(device, "device").toLowerCase(Locale.ROOT);
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        this.threads = threads;
    }

    /** @return the location, or {@code null} for the bundled model */
    public String location() {
        return location;
    }

    /** @return the device name */
    public String device() {
        return device;
    }

    /** @return the operator threads per executor JVM, 0 for the engine's default */
    public int threads() {
        return threads;
    }

    /** @return which code runs the forward */
    public ForwardEngine engine() {
        return engine;
    }

    /** @return the number format of the compiled forward */
    public Precision precision() {
        return precision;
    }

    /**
     * The model's files, opened where this is called (driver or executor).
     *
     * @return the files
     * @throws IOException if this build has no bundled model and no location is given
     */
    public ModelFiles files() throws IOException {
        if (location == null) {
            if (!BundledModel.isAvailable()) {
                throw new IOException("no model directory given and this build has no bundled model");
            }
            return BundledModel.files();
        }
        return hasScheme(location) ? new HadoopModelFiles(location) : ModelFiles.of(Path.of(location));
    }

    /**
     * Reads and checks the model's files (config, labels, checksums) without starting the engine:
     * what the driver does before any task starts, so that an unreadable model fails the job at once.
     *
     * @return the checked contents
     * @throws ModelUnavailableException with the reason the CLI gives ({@code cannot load model: ...})
     */
    public ModelDirectory.Contents check() {
        try {
            return ModelDirectory.read(files());
        } catch (IOException | RuntimeException e) {
            throw ModelUnavailableException.of(e);
        }
    }

    /**
     * Whether a location starts with a URI scheme of two or more characters ({@code hdfs:},
     * {@code file:}); {@code C:\models} stays a local path. Not parsed as a URI: Hadoop paths such
     * as {@code file:/a b.png} are not valid URIs.
     *
     * @param s a location
     * @return whether it has a scheme
     */
    static boolean hasScheme(String s) {
        return SCHEME.matcher(s).lookingAt();
    }

    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

    /** @return e.g. {@code hdfs://nn/models/vit (cpu)} or {@code bundled model (cpu)} */
    @Override
    public String toString() {
        return (location == null ? "bundled model" : location) + " (" + device
                + (threads > 0 ? ", " + threads + " threads" : "") + ", " + engine.cliName() + ", "
                + precision.cliName() + ")";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSource m && Objects.equals(location, m.location) && device.equals(m.device)
                && threads == m.threads && engine == m.engine && precision == m.precision;
    }

    @Override
    public int hashCode() {
        return Objects.hash(location, device, threads, engine, precision);
    }
}
