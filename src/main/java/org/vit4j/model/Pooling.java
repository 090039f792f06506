package org.vit4j.model;

import java.util.Map;
import org.vit4j.Named;
import org.vit4j.Names;

/** How the token sequence {@code (B, T, D)} becomes one vector {@code (B, D)} per image. */
public enum Pooling implements Named {
    /** The class token's output (timm {@code global_pool='token'}); requires a class token. */
    CLS,
    /** The mean over the patch tokens, prefix tokens excluded (timm {@code global_pool='avg'}). */
    AVG;

    /**
     * Parses a pooling name.
     *
     * @param name {@code cls} or {@code avg} (case-insensitive; {@code token} is accepted for cls)
     * @return the pooling
     * @throws IllegalArgumentException naming the valid values
     */
    public static Pooling fromName(String name) {
        return Names.parse(Pooling.class, "pooling", name, Map.of("token", CLS));
    }
}
