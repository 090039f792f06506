package org.vit4j.spark;

import ai.djl.Device;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.vit4j.Offline;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.DeviceSetting;

/**
 * The models of one executor JVM: each {@link ModelSource} is loaded and its forward built once,
 * by the first task that needs it, as one {@link InferenceModel}, and then shared by every task
 * thread of the executor and by both of its views, classifier and encoder ({@link InferenceModel}
 * is thread-safe: read-only weights, one {@code NDManager} per call). A shutdown hook closes each
 * model once when the executor stops.
 *
 * <p>A failed load is remembered too: a retried task on the same executor fails at once with the
 * same {@link ModelUnavailableException} instead of reading the model again.
 */
public final class ExecutorModels {

    /** A loaded model, or why it could not be loaded. */
    private record Entry(InferenceModel loaded, ModelUnavailableException failure) {}

    private static final Map<ModelSource, Entry> CACHE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "vit4j-models-close"));
    }

    private ExecutorModels() {}

    /**
     * The model of {@code source}, loaded on first use in this JVM.
     *
     * @param source the model
     * @return the shared model; callers must not close it (this cache does)
     * @throws ModelUnavailableException if it cannot be loaded (now or on an earlier attempt)
     */
    public static InferenceModel get(ModelSource source) {
        // computeIfAbsent: concurrent first tasks wait for one load instead of loading twice
        Entry e = CACHE.computeIfAbsent(source, ExecutorModels::load);
        if (e.failure() != null) {
            throw e.failure();
        }
        return e.loaded();
    }

    private static Entry load(ModelSource source) {
        try {
            Offline.ensure();
            if (source.threads() > 0 && System.getProperty("ai.djl.pytorch.num_threads") == null) {
                System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(source.threads()));
                System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            }
            Device device = DeviceSetting.fromName(source.device()).toDevice();
            InferenceModel model = InferenceModel.builder().setModelFiles(source.files()).optDevice(device)
                    .optEngine(source.engine()).optPrecision(source.precision()).build();
            return new Entry(model, null);
        } catch (Exception | UnsatisfiedLinkError e) {
            return new Entry(null, ModelUnavailableException.of(e));
        }
    }

    /**
     * Forgets (and closes) the model of {@code source}, so that the next task loads it again; for
     * tests that change a model's files between jobs.
     *
     * @param source the model
     */
    static void forget(ModelSource source) {
        Entry e = CACHE.remove(source);
        if (e != null && e.loaded() != null) {
            e.loaded().close();
        }
    }

    /** Closes every model (the shutdown hook). */
    static void closeAll() {
        for (ModelSource s : CACHE.keySet()) {
            forget(s);
        }
    }
}
