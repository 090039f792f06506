package org.vit4j.compiled;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.vit4j.io.AtomicFiles;
import org.vit4j.io.Json;

/**
 * The measured kernel choices of this user's machines: one small JSON file, {@code kernels.json}, in
 * the user's cache directory ({@link #defaultDirectory}), mapping a key ({@link #key}: the CPU's
 * model, family and flags, libtorch's version, the intra-op threads, the precision, the shape and its
 * rows) to a {@link KernelMeasurement}. Read once per compile, written atomically after a new
 * measurement. A missing file is empty; an unreadable or corrupt one is ignored with one note on
 * standard error (and replaced by the next write); a write that fails is noted the same way: the
 * cache never makes a load fail.
 */
public final class KernelCache {

    /** The system property that overrides the cache directory (tests point it at a temporary one). */
    public static final String DIRECTORY_PROPERTY = "vit4j.cacheDir";

    /** The file's name in the directory. */
    public static final String FILE = "kernels.json";

    private static final int FORMAT = 1;

    private final Path file;
    private final PrintStream err;
    private final Map<String, KernelMeasurement> entries;
    private boolean changed;

    private KernelCache(Path file, PrintStream err, Map<String, KernelMeasurement> entries) {
        this.file = file;
        this.err = err;
        this.entries = entries;
    }

    /**
     * The cache directory: the system property {@value #DIRECTORY_PROPERTY}, else {@code
     * $XDG_CACHE_HOME/vit4j}, else {@code ~/.cache/vit4j}.
     *
     * @return the directory (not created here)
     */
    public static Path defaultDirectory() {
        String p = System.getProperty(DIRECTORY_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "vit4j");
        }
        return Path.of(System.getProperty("user.home"), ".cache", "vit4j");
    }

    /**
     * Reads the cache of a directory.
     *
     * @param directory the directory ({@link #defaultDirectory()} for the user's)
     * @param err where a note about an unreadable file goes
     * @return the cache, empty where the file is missing, unreadable or corrupt
     */
    public static KernelCache open(Path directory, PrintStream err) {
        Path file = directory.resolve(FILE);
        Map<String, KernelMeasurement> entries = new LinkedHashMap<>();
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            JsonObject root = JsonParser.parseString(text).getAsJsonObject();
            if (!root.has("format") || root.get("format").getAsInt() != FORMAT) {
                throw new IllegalArgumentException("format " + root.get("format") + ", not " + FORMAT);
            }
            for (Map.Entry<String, JsonElement> e : root.getAsJsonObject("entries").entrySet()) {
                entries.put(e.getKey(), KernelMeasurement.fromJson(e.getValue().getAsJsonObject()).withSource("cached"));
            }
        } catch (NoSuchFileException e) {
            return new KernelCache(file, err, entries);
        } catch (IOException | RuntimeException e) {
            err.println("vit4j: kernel cache " + file + " ignored (" + reason(e) + "); kernels are measured again");
            err.flush();
            entries.clear();
        }
        return new KernelCache(file, err, entries);
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m.lines().findFirst().orElse(""));
    }

    /**
     * The key of a shape on this machine.
     *
     * @param cpu the CPU
     * @param libtorch libtorch's version
     * @param threads libtorch's intra-op threads
     * @param precision the precision
     * @param what the kind and shape, e.g. {@code linear 3072x768}
     * @param rows the rows (linear) or images (attention) per call
     * @return e.g. {@code AMD EPYC 7B13 | AuthenticAMD family 25 model 1 | flags 3f2a9c0d1e4b | libtorch 2.7.1 |
     *     threads 2 | fp32 | linear 3072x768 | rows 197}
     */
    public static String key(CpuFeatures cpu, String libtorch, int threads, Precision precision, String what, long rows) {
        return String.join(" | ", cpu.model(), cpu.family(), "flags " + digest(String.join(" ", new java.util.TreeSet<>(cpu.flags()))),
                "libtorch " + libtorch, "threads " + threads, precision.cliName(), what, "rows " + rows);
    }

    private static String digest(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the cache file */
    public Path file() {
        return file;
    }

    /**
     * A cached measurement.
     *
     * @param key the key ({@link #key})
     * @return its measurement, source {@code cached}
     */
    public Optional<KernelMeasurement> get(String key) {
        return Optional.ofNullable(entries.get(key));
    }

    /**
     * Records a measurement (kept in memory until {@link #save}).
     *
     * @param key the key ({@link #key})
     * @param m the measurement
     */
    public void put(String key, KernelMeasurement m) {
        entries.put(key, m.withSource("cached"));
        changed = true;
    }

    /**
     * Writes the file atomically if anything was put, creating the directory; a failure is noted on
     * standard error, never thrown.
     */
    public void save() {
        if (!changed) {
            return;
        }
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        JsonObject e = new JsonObject();
        entries.forEach((k, m) -> {
            JsonObject o = m.toJson();
            o.remove("source");
            o.remove("gflops");
            e.add(k, o);
        });
        root.add("entries", e);
        try {
            Files.createDirectories(file.getParent());
            AtomicFiles.writeString(file, Json.line(root) + "\n");
            changed = false;
        } catch (IOException | RuntimeException ex) {
            err.println("vit4j: kernel cache " + file + " not written (" + reason(ex) + ")");
            err.flush();
        }
    }
}
