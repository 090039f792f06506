package org.vit4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Parses the names that options and {@code config.json} use for enum constants (pooling, variant,
 * interpolation, ...): trimmed, case-insensitive, {@code _} read as {@code -}; an unknown name is
 * refused with the list of valid ones.
 */
public final class Names {

    private Names() {}

    /**
     * Finds a constant by name.
     *
     * @param values the enum's constants, in the order the error message lists them
     * @param nameOf a constant's name, lower case
     * @param what what the name names, for the error message (e.g. {@code "pooling"})
     * @param name the name given; may be null
     * @param aliases other accepted names (lower case), or an empty map
     * @param <E> the enum
     * @return the constant
     * @throws IllegalArgumentException {@code unknown <what> '<name>'; valid: a, b, c}
     */
    public static <E extends Enum<E>> E parse(E[] values, Function<E, String> nameOf, String what, String name,
                                              Map<String, E> aliases) {
        String key = name == null ? "" : name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (E e : values) {
            if (nameOf.apply(e).equals(key)) {
                return e;
            }
        }
        E alias = aliases.get(key);
        if (alias != null) {
            return alias;
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; valid: "
                + Arrays.stream(values).map(nameOf).collect(Collectors.joining(", ")));
    }
}
