package org.vit4j.io;

import java.io.IOException;

/**
 * Writing an output failed after the work was done (disk full, device error, a directory that
 * became unwritable): {@code cannot write PATH: REASON}. Distinct from the I/O errors of reading
 * inputs, so that a command can tell "the model is broken" from "the result could not be saved".
 */
public final class WriteFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * @param path the output
     * @param reason e.g. {@code no space left on device}
     * @param cause the error underneath
     */
    public WriteFailedException(Object path, String reason, Throwable cause) {
        super("cannot write " + path + ": " + reason, cause);
    }
}
