package org.vit4j;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parses the names that options and {@code config.json} use for enum constants (pooling, variant,
 * interpolation, ...): the constant's name in lower case with {@code -} for {@code _}; read
 * trimmed, case-insensitive, {@code _} as {@code -}; an unknown name is refused with the list of
 * valid ones. The enums implement {@link Named}.
 */
public final class Names {

    private Names() {}

    /**
     * The name of a constant as options and configs write it.
     *
     * @param constant a Java constant name, e.g. {@code RESIZE_CROP}
     * @return e.g. {@code resize-crop}
     */
    public static String of(String constant) {
        return constant.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * Finds a constant by name.
     *
     * @param type the enum, whose constants the error message lists in declaration order
     * @param what what the name names, for the error message (e.g. {@code "pooling"})
     * @param name the name given; may be null
     * @param <E> the enum
     * @return the constant
     * @throws IllegalArgumentException {@code unknown <what> '<name>'; valid: a, b, c}
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String what, String name) {
        return parse(type, what, name, Map.of());
    }

    /**
     * Finds a constant by name or by one of its other accepted names.
     *
     * @param type the enum, whose constants the error message lists in declaration order
     * @param what what the name names, for the error message (e.g. {@code "pooling"})
     * @param name the name given; may be null
     * @param aliases other accepted names (lower case), e.g. {@code token} for {@code cls}
     * @param <E> the enum
     * @return the constant
     * @throws IllegalArgumentException {@code unknown <what> '<name>'; valid: a, b, c}
     */
    public static <E extends Enum<E>> E parse(Class<E> type, String what, String name, Map<String, E> aliases) {
        E[] values = type.getEnumConstants();
        String key = name == null ? "" : of(name.trim());
        for (E e : values) {
            if (of(e.name()).equals(key)) {
                return e;
            }
        }
        E alias = aliases.get(key);
        if (alias != null) {
            return alias;
        }
        throw new IllegalArgumentException("unknown " + what + " '" + name + "'; valid: "
                + Arrays.stream(values).map(e -> of(e.name())).collect(Collectors.joining(", ")));
    }
}
