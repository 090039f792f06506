package org.vit4j.spark;

import org.vit4j.cli.ExitCodes;

/**
 * The model could not be loaded (on the driver's check or on an executor). Its message is the one
 * {@code vit4j predict} prints, {@code cannot load model: <file>: <reason>}. A task that throws it
 * is not worth retrying: {@link ModelFailureListener} cancels its stage at the first one.
 */
public final class ModelUnavailableException extends RuntimeException implements ExitCodes.ModelFailure {

    private static final long serialVersionUID = 1L;

    /** The prefix of every message, as in the CLI. */
    public static final String PREFIX = "cannot load model: ";

    /**
     * Creates the exception.
     *
     * @param message the full message, starting with {@link #PREFIX}
     * @param cause the underlying failure, may be {@code null}
     */
    public ModelUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Wraps a load failure.
     *
     * @param cause the failure
     * @return the exception, its message {@code cannot load model: <cause's message>}
     */
    static ModelUnavailableException of(Throwable cause) {
        String m = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        return new ModelUnavailableException(PREFIX + m, cause);
    }
}
