package org.vit4j.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Where compute runs: {@code cpu}, {@code gpu} (fails if DJL finds no CUDA build of libtorch), or
 * {@code auto} (the first GPU if there is one, else the CPU).
 *
 * <p>The default build bundles the CPU libtorch. To run on a GPU, put a CUDA flavour on the
 * classpath instead (e.g. {@code ai.djl.pytorch:pytorch-native-cu124}) or point DJL at an
 * installed libtorch with {@code PYTORCH_LIBRARY_PATH} and {@code PYTORCH_FLAVOR}; nothing else
 * changes.
 */
public enum DeviceSetting implements Named {
    /** The CPU. */
    CPU,
    /** The first GPU. */
    GPU,
    /** A GPU if one is visible to the engine, else the CPU. */
    AUTO;

    /**
     * Parses {@code cpu}, {@code gpu} or {@code auto}.
     *
     * @param name the name
     * @return the setting
     * @throws IllegalArgumentException naming the valid values
     */
    public static DeviceSetting fromName(String name) {
        return Names.parse(DeviceSetting.class, "device", name);
    }

    /**
     * Resolves to a DJL device.
     *
     * @return the device
     * @throws IllegalStateException for {@code gpu} when the engine sees no GPU
     */
    public Device toDevice() {
        if (this == CPU) {
            return Device.cpu(); // without starting the engine: argument checks stay fast
        }
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        switch (this) {
            case GPU:
                if (gpus == 0) {
                    throw new IllegalStateException(
                            "--device gpu: the PyTorch engine sees no GPU (this build bundles the CPU"
                                    + " libtorch; see docs/compiled-forward.md, GPU)");
                }
                return Device.gpu();
            default:
                return gpus > 0 ? Device.gpu() : Device.cpu();
        }
    }
}
