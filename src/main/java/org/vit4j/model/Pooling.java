package org.vit4j.model;

import java.util.Map;
import org.vit4j.Names;

/** How the token sequence {@code (B, T, D)} becomes one vector {@code (B, D)} per image. */
public enum Pooling {
    /** The class token's output (timm {@code global_pool='token'}); requires a class token. */
    CLS("cls"),
    /** The mean over the patch tokens, prefix tokens excluded (timm {@code global_pool='avg'}). */
    AVG("avg");

    private final String cliName;

    Pooling(String cliName) {
        this.cliName = cliName;
    }

    /** @return the name used in configs and on the command line */
    public String cliName() {
        return cliName;
    }

    /**
     * Parses a pooling name.
     *
     * @param name {@code cls} or {@code avg} (case-insensitive; {@code token} is accepted for cls)
     * @return the pooling
     * @throws IllegalArgumentException naming the valid values
     */
    public static Pooling fromName(String name) {
        return Names.parse(values(), Pooling::cliName, "pooling", name, Map.of("token", CLS));
    }
}
