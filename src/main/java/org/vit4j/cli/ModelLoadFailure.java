package org.vit4j.cli;

/** The model or a configuration could not be loaded: exit code {@link ExitCodes#MODEL}. */
final class ModelLoadFailure extends Exception implements ExitCodes.ModelFailure {
    private static final long serialVersionUID = 1L;

    ModelLoadFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
