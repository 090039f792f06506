package org.vit4j;

/**
 * Keeps Deep Java Library off the network.
 *
 * <p>Without these settings DJL may look up model zoos or probe a cloud metadata address the first
 * time an engine starts. vit4j ships its native PyTorch library inside a jar, so nothing has to be
 * downloaded; every entry point calls {@link #ensure()} before the first engine use.
 */
public final class Offline {

    private Offline() {}

    /**
     * Sets {@code ai.djl.offline=true} and {@code OPT_OUT_TRACKING=true} as system properties
     * unless the user has set them explicitly. Idempotent and cheap.
     */
    public static void ensure() {
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        if (System.getProperty("OPT_OUT_TRACKING") == null) {
            System.setProperty("OPT_OUT_TRACKING", "true");
        }
    }
}
