package org.vit4j.interop;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A checkpoint whose tensors do not fit a Vision Transformer of the chosen layout: missing,
 * unexpected or mis-shaped tensors, or a size that cannot be inferred. The message gives the count,
 * the layout the tensor names point to where it is another one, and the problems in the
 * checkpoint's own tensor names, with a long run of unexpected tensors cut to its first few
 * ({@link #details()}); {@link #getProblems()} has all of them one by one. When this is thrown
 * nothing has been written.
 */
public final class CheckpointException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Unexpected tensors listed by name; the rest are counted. */
    static final int UNEXPECTED_SHOWN = 3;

    private final transient List<String> problems;
    /** The first line of the message, without the layout the names point to. */
    private final String summary;
    /** The layout the tensor names point to, where it is another one; null otherwise. */
    private final Source likelySource;

    /**
     * Creates the exception.
     *
     * @param source the checkpoint file and layout, for the message
     * @param problems one line per problem, never empty
     */
    public CheckpointException(String source, List<String> problems) {
        this(source, problems, null);
    }

    /**
     * Creates the exception for a checkpoint whose tensor names are those of another layout.
     *
     * @param source the checkpoint file and layout, for the message
     * @param problems one line per problem, never empty
     * @param likelySource the layout its tensor names point to, or null
     */
    public CheckpointException(String source, List<String> problems, Source likelySource) {
        super(summary(source, problems) + (likelySource == null ? "" : "; it looks like a " + likelySource.cliName()
                + " checkpoint") + ":\n  " + String.join("\n  ", shown(problems)));
        this.summary = summary(source, problems);
        this.problems = List.copyOf(problems);
        this.likelySource = likelySource;
    }

    private static String summary(String source, List<String> problems) {
        return source + ": " + problems.size() + " problem(s), nothing written";
    }

    /** @return the problems, one line each, in the checkpoint's tensor names */
    public List<String> getProblems() {
        return problems;
    }

    /** @return {@code FILE (LAYOUT layout): N problem(s), nothing written} */
    public String summary() {
        return summary;
    }

    /** @return the layout the checkpoint's tensor names point to, where it is not the one asked for; else null */
    public Source likelySource() {
        return likelySource;
    }

    /**
     * The problems as the message lists them: every one, but of the unexpected tensors only the
     * first {@value #UNEXPECTED_SHOWN} and a count of the others.
     *
     * @return one line each
     */
    public List<String> details() {
        return shown(problems);
    }

    private static List<String> shown(List<String> problems) {
        List<String> out = new ArrayList<>();
        int unexpected = 0;
        for (String p : problems) {
            if (p.startsWith("unexpected ") && ++unexpected > UNEXPECTED_SHOWN) {
                continue;
            }
            out.add(p);
        }
        if (unexpected > UNEXPECTED_SHOWN) {
            int last = 0; // after the last unexpected tensor shown
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).startsWith("unexpected ")) {
                    last = i + 1;
                }
            }
            out.add(last, "... and " + (unexpected - UNEXPECTED_SHOWN) + " more unexpected tensors");
        }
        return out;
    }
}
