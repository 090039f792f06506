package org.vit4j.interop;

import java.io.IOException;
import java.util.List;

/**
 * A checkpoint whose tensors do not fit a Vision Transformer of the chosen layout: missing,
 * unexpected or mis-shaped tensors, or a size that cannot be inferred. The message lists every
 * problem found, in the checkpoint's own tensor names; {@link #getProblems()} has them one by one.
 * When this is thrown nothing has been written.
 */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    /**
     * Creates the exception.
     *
     * @param source the checkpoint file and layout, for the message
     * @param problems one line per problem, never empty
     */
    public CheckpointException(String source, List<String> problems) {
        super(source + ": " + problems.size() + " problem(s), nothing written:\n  "
                + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    /** @return the problems, one line each, in the checkpoint's tensor names */
    public List<String> getProblems() {
        return problems;
    }
}
