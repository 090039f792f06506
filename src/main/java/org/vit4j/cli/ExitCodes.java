package org.vit4j.cli;

import org.vit4j.io.WriteFailedException;

/**
 * The exit codes of every command, in one place, and the one map from a failure to its code,
 * shared by {@code vit4j} and {@code vit4j spark}.
 */
public final class ExitCodes {
    /** All inputs succeeded. */
    public static final int OK = 0;
    /** Some inputs failed (the others were processed and reported), or an output could not be written. */
    public static final int SOME_FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The model or configuration could not be loaded. */
    public static final int MODEL = 3;

    /** A failure to load a model or configuration (exit {@link #MODEL}), wherever it is thrown. */
    public interface ModelFailure {}

    private ExitCodes() {}

    /**
     * The exit code of a failure that ended a command: {@link #MODEL} for a {@link ModelFailure},
     * {@link #USAGE} for an {@link IllegalArgumentException} (a value the command line gave that
     * the library refused), {@link #SOME_FAILED} for everything else, including an output that
     * could not be written ({@link WriteFailedException}).
     *
     * @param e the failure
     * @return its exit code
     */
    public static int of(Throwable e) {
        if (e instanceof ModelFailure) {
            return MODEL;
        }
        if (e instanceof IllegalArgumentException) {
            return USAGE;
        }
        return SOME_FAILED;
    }
}
