package org.vit4j;

/**
 * An option of a builder or options record that is refused, named the way its method names it
 * ({@code lr}, {@code warmupEpochs}, {@code heads}), with its value and the reason. The message is
 * {@code OPTION VALUE: REASON}, e.g. {@code lr -1.0: must be above 0}; the command line prints the
 * same reason after its own flag and the value as it was typed ({@code --lr -1: must be above 0}).
 */
public final class InvalidOptionException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /** The option's name. */
    private final String option;
    /** The refused value, as the library prints it. */
    private final String value;
    /** Why it is refused. */
    private final String reason;

    /**
     * Creates the exception.
     *
     * @param option the option's name, e.g. {@code labelSmoothing}
     * @param value its refused value
     * @param reason why, e.g. {@code must be at least 0 and below 1}
     */
    public InvalidOptionException(String option, Object value, String reason) {
        super(option + " " + value + ": " + reason);
        this.option = option;
        this.value = String.valueOf(value);
        this.reason = reason;
    }

    /** @return the option's name, e.g. {@code labelSmoothing} */
    public String option() {
        return option;
    }

    /** @return the refused value, as the library prints it */
    public String value() {
        return value;
    }

    /** @return why it is refused */
    public String reason() {
        return reason;
    }
}
