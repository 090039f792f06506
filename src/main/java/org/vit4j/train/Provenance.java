package org.vit4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.JsonObject;
import java.time.Instant;
import org.vit4j.model.ModelDirectory;

/**
 * Where and with what a run was trained, for {@code train.json} (as tribuo's
 * {@code ModelProvenance} records it): library versions, device, threads, JVM and time.
 */
final class Provenance {

    private Provenance() {}

    /**
     * The provenance of a run starting now.
     *
     * @param device the training device
     * @return {@code {vit4j, djl, libtorch, device, threads, interop_threads, java, os, started}}
     */
    static JsonObject of(Device device) {
        JsonObject p = new JsonObject();
        String version = ModelDirectory.class.getPackage().getImplementationVersion();
        p.addProperty("vit4j", version == null ? "development build" : version);
        p.addProperty("djl", Engine.getDjlVersion());
        p.addProperty("libtorch", Engine.getEngine("PyTorch").getVersion());
        p.addProperty("device", device.toString());
        p.addProperty("threads", JniUtils.getNumThreads());
        p.addProperty("interop_threads", JniUtils.getNumInteropThreads());
        p.addProperty("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
        p.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        p.addProperty("started", Instant.now().toString());
        return p;
    }
}
