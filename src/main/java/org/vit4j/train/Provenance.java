package org.vit4j.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import com.google.gson.annotations.SerializedName;
import java.time.Instant;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.model.ModelDirectory;

/**
 * Where and with what a run was trained, as tribuo's {@code ModelProvenance} records it: the
 * {@code provenance} object of {@code train.json} ({@link RunRecord}).
 *
 * @param vit4j the vit4j version, or {@code development build} when run from classes
 * @param djl the DJL version
 * @param libtorch the libtorch version of DJL's PyTorch engine
 * @param device the training device, as DJL names it
 * @param threads libtorch's intra-op threads
 * @param interopThreads libtorch's inter-op threads
 * @param batchShards parts of each batch the compiled step computed at once, one thread each
 *     ({@link CompiledTrainStep#shards}); absent (0) in runs from before sharding, which computed
 *     whole batches
 * @param java the JVM's vendor and version
 * @param os the operating system's name and architecture
 * @param cpu the CPU's model name, vendor, family and model numbers and the flags that matter for
 *     matrix products ({@link CpuFeatures#describe}): times and bf16 rounding differ between CPUs;
 *     absent in runs from before it was recorded
 * @param started when the run started, ISO-8601 in UTC
 */
public record Provenance(
        String vit4j,
        String djl,
        String libtorch,
        String device,
        int threads,
        @SerializedName("interop_threads") int interopThreads,
        @SerializedName("batch_shards") int batchShards,
        String java,
        String os,
        String cpu,
        String started) {

    /**
     * The provenance of a run starting now in this JVM.
     *
     * @param device the training device
     * @param batchShards parts of each batch computed at once (1 for the eager step)
     * @return the provenance
     */
    public static Provenance current(Device device, int batchShards) {
        String version = ModelDirectory.class.getPackage().getImplementationVersion();
        return new Provenance(version == null ? "development build" : version, Engine.getDjlVersion(),
                Engine.getEngine("PyTorch").getVersion(), device.toString(), JniUtils.getNumThreads(),
                JniUtils.getNumInteropThreads(), batchShards,
                System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), CpuFeatures.current().describe(),
                Instant.now().toString());
    }
}
