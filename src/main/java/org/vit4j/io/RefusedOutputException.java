package org.vit4j.io;

/**
 * An output path that a command must not write, found before any work: one of the run's inputs,
 * an existing file without {@code --force}, a directory that cannot be written. The message is
 * {@code PATH: REASON}; a command line puts the option's name in front.
 */
public final class RefusedOutputException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * @param path the output as the user named it
     * @param reason why it is refused, e.g. {@code is also an input; write to another file}
     */
    public RefusedOutputException(String path, String reason) {
        super(path + ": " + reason);
    }
}
