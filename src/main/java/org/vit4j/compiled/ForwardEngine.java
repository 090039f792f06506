package org.vit4j.compiled;

import java.util.Locale;
import java.util.Map;
import org.vit4j.Names;

/** Which code runs the inference forward. */
public enum ForwardEngine {
    /** The TorchScript program of {@link CompiledVit} (the default), or the eager blocks where it does not apply. */
    COMPILED,
    /** The eager DJL blocks of {@code org.vit4j.model} (the reference; training always uses them). */
    EAGER;

    /** @return the name used on the command line */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code compiled} or {@code eager}.
     *
     * @param name the name (case-insensitive)
     * @return the engine
     * @throws IllegalArgumentException naming the valid values
     */
    public static ForwardEngine fromName(String name) {
        return Names.parse(values(), ForwardEngine::cliName, "engine", name, Map.of());
    }
}
