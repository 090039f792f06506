package org.vit4j.cli;

/** The exit codes of every command, in one place. */
public final class ExitCodes {
    /** All inputs succeeded. */
    public static final int OK = 0;
    /** Some inputs failed; the others were processed and reported. */
    public static final int SOME_FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;
    /** The model or configuration could not be loaded. */
    public static final int MODEL = 3;

    private ExitCodes() {}
}
