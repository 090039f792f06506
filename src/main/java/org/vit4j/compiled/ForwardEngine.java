package org.vit4j.compiled;

import org.vit4j.Named;
import org.vit4j.Names;

/** Which code runs the inference forward and the training step. */
public enum ForwardEngine implements Named {
    /** The TorchScript program (the default): {@link CompiledVit} for inference, or the eager blocks where it does not apply; {@link org.vit4j.train.CompiledTrainStep} for training. */
    COMPILED,
    /** The eager DJL blocks of {@code org.vit4j.model} (the reference). */
    EAGER;

    /**
     * Parses {@code compiled} or {@code eager}.
     *
     * @param name the name (case-insensitive)
     * @return the engine
     * @throws IllegalArgumentException naming the valid values
     */
    public static ForwardEngine fromName(String name) {
        return Names.parse(ForwardEngine.class, "engine", name);
    }
}
