package org.vit4j.compiled;

import org.vit4j.Named;
import org.vit4j.Names;

/** Which code runs the inference forward. */
public enum ForwardEngine implements Named {
    /** The TorchScript program of {@link CompiledVit} (the default), or the eager blocks where it does not apply. */
    COMPILED,
    /** The eager DJL blocks of {@code org.vit4j.model} (the reference; training always uses them). */
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
