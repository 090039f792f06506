package org.vit4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.stream.Collectors;
import org.vit4j.Named;
import org.vit4j.model.DeviceSetting;
import org.vit4j.model.Pooling;
import org.vit4j.model.Variant;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.SinCosLayout;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters for the typed options of every command: each checks one value as it is
 * parsed, before a command runs, and refuses it with a reason that does not repeat the value
 * ({@link Usage} prints {@code vit4j CMD: OPTION VALUE: REASON} and exits 2).
 */
public final class Converters {

    private Converters() {}

    /** An integer of at least 1 (batch size, top-k, threads, heads, classes). */
    public static final class PositiveInt implements ITypeConverter<Integer> {
        /** The converter picocli instantiates. */
        public PositiveInt() {}

        @Override
        public Integer convert(String s) {
            long v = s.trim().matches("\\+?\\d{20,}") ? Long.MAX_VALUE : integer(s); // past a long: too large all the same
            if (v < 1) {
                throw new TypeConversionException("must be at least 1");
            }
            if (v > Integer.MAX_VALUE) {
                throw new TypeConversionException("must be at most " + Integer.MAX_VALUE);
            }
            return (int) v;
        }
    }

    /** A long of at least 1 (prediction counts, pixel limits). */
    static final class PositiveLong implements ITypeConverter<Long> {
        @Override
        public Long convert(String s) {
            long v = integer(s);
            if (v < 1) {
                throw new TypeConversionException("must be at least 1");
            }
            return v;
        }
    }

    /** A finite number above 0 (seconds). */
    static final class PositiveDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = number(s);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new TypeConversionException("must be a number above 0");
            }
            return v;
        }
    }

    /** A finite number; its range is the library's to check (it names the option, {@link org.vit4j.InvalidOptionException}). */
    static final class FiniteDouble implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = number(s);
            if (!Double.isFinite(v)) {
                throw new TypeConversionException("must be a finite number");
            }
            return v;
        }
    }

    /** A rate in {@code [0, 1)} (stochastic depth). */
    static final class Rate implements ITypeConverter<Double> {
        @Override
        public Double convert(String s) {
            double v = number(s);
            if (!(v >= 0 && v < 1)) {
                throw new TypeConversionException("must be at least 0 and below 1");
            }
            return v;
        }
    }

    /** {@code split} or {@code interleaved}. */
    static final class LayoutName implements ITypeConverter<SinCosLayout> {
        @Override
        public SinCosLayout convert(String s) {
            try {
                return SinCosLayout.fromName(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(validOnly(e));
            }
        }
    }

    /** {@code cls} or {@code avg} (and their other accepted names). */
    static final class PoolingName implements ITypeConverter<Pooling> {
        @Override
        public Pooling convert(String s) {
            try {
                return Pooling.fromName(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(validOnly(e));
            }
        }
    }

    /** A shuffle or patch grid {@code RxC} (or {@code G} for {@code GxG}). */
    static final class Grid implements ITypeConverter<ShuffleGrid> {
        @Override
        public ShuffleGrid convert(String s) {
            int[] rc = pair(s, "RxC, e.g. 4x4");
            return new ShuffleGrid(rc[0], rc[1]);
        }
    }

    /** An image size {@code S} or {@code HxW} (each side 1 to {@link #MAX_SIDE}). */
    static final class Size implements ITypeConverter<ImageSize> {
        @Override
        public ImageSize convert(String s) {
            int[] hw = pair(s, "S or HxW, e.g. 224 or 224x320");
            if (hw[0] > MAX_SIDE || hw[1] > MAX_SIDE) {
                throw new TypeConversionException("sides must be at most " + MAX_SIDE + " pixels");
            }
            return new ImageSize(hw[0], hw[1]);
        }
    }

    /** The largest image side any option accepts (a 65 536-pixel side is already past every pixel limit). */
    static final int MAX_SIDE = 65_536;

    /**
     * A height and width in pixels.
     *
     * @param height H
     * @param width W
     */
    record ImageSize(int height, int width) {
        /** @return {@code H x W} as a long, so it never overflows */
        long pixels() {
            return (long) height * width;
        }

        @Override
        public String toString() {
            return height + "x" + width;
        }
    }

    /** {@code cpu}, {@code gpu} or {@code auto}. */
    static final class Device implements ITypeConverter<DeviceSetting> {
        @Override
        public DeviceSetting convert(String s) {
            try {
                return DeviceSetting.fromName(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(validOnly(e));
            }
        }
    }

    /** A file that exists (read before the work starts, so a typo costs no model load). */
    static final class ExistingFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String s) {
            Path p = Path.of(s);
            if (!Files.exists(p)) {
                throw new TypeConversionException("no such file");
            }
            if (!Files.isRegularFile(p)) {
                throw new TypeConversionException("not a regular file");
            }
            if (!Files.isReadable(p)) {
                throw new TypeConversionException("permission denied");
            }
            return p;
        }
    }

    /**
     * An output picture: only PNG is written, so a file's name must say so; a stream ({@code -},
     * a FIFO, a device such as {@code /dev/stdout}) has no name to choose.
     */
    static final class PngFile implements ITypeConverter<Path> {
        @Override
        public Path convert(String s) {
            Path p = Path.of(s);
            boolean stream = s.equals("-") || Files.exists(p) && !Files.isRegularFile(p) && !Files.isDirectory(p);
            if (!stream && !s.toLowerCase(Locale.ROOT).endsWith(".png")) {
                throw new TypeConversionException("pictures are written as PNG; name the file *.png");
            }
            return Path.of(s);
        }
    }

    /**
     * The lower-case names of an enum's constants ({@code _} written {@code -}), case-insensitive:
     * {@link org.vit4j.Names#parse}, with only its list of valid names as the message.
     *
     * @param <E> the enum
     */
    abstract static class Names<E extends Enum<E>> implements ITypeConverter<E> {
        private final Class<E> type;

        Names(Class<E> type) {
            this.type = type;
        }

        @Override
        public E convert(String s) {
            try {
                return org.vit4j.Names.parse(type, "value", s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(validOnly(e));
            }
        }
    }

    /**
     * The names of an enum's constants as the command line spells them ({@link Named#cliName()}),
     * in declaration order: picocli's completion candidates, which {@code ${COMPLETION-CANDIDATES}}
     * lists in a help text, so no list of names is typed into one.
     */
    abstract static class Candidates<E extends Enum<E> & Named> implements Iterable<String> {
        private final Class<E> type;

        Candidates(Class<E> type) {
            this.type = type;
        }

        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(type.getEnumConstants()).map(Named::cliName).iterator();
        }
    }

    /** The {@link Variant}s. */
    static final class VariantNames extends Candidates<Variant> {
        VariantNames() {
            super(Variant.class);
        }
    }

    /** The {@link PositionEmbeddingKind}s. */
    static final class PositionKindNames extends Candidates<PositionEmbeddingKind> {
        PositionKindNames() {
            super(PositionEmbeddingKind.class);
        }
    }

    /** The {@link Pooling}s. */
    static final class PoolingNames extends Candidates<Pooling> {
        PoolingNames() {
            super(Pooling.class);
        }
    }

    /** The {@link SinCosLayout}s. */
    static final class LayoutNames extends Candidates<SinCosLayout> {
        LayoutNames() {
            super(SinCosLayout.class);
        }
    }

    /** {@code extrapolate} or {@code interpolate}: a {@link PositionScaling}. */
    static final class ScalingName extends Names<PositionScaling> {
        ScalingName() {
            super(PositionScaling.class);
        }
    }

    /** The library's name parsers say {@code unknown X 'v'; valid: a, b}; the option and value are already shown. */
    static String validOnly(IllegalArgumentException e) {
        String m = e.getMessage();
        int i = m.indexOf("valid: ");
        return i >= 0 ? m.substring(i) : m;
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("not a number");
        }
    }

    /**
     * An integer from {@code min} to {@code max}, refused as {@code must be from MIN to MAX}, or with
     * {@code notANumber} when it is not an integer at all.
     */
    abstract static class IntegerRange<T> implements ITypeConverter<T> {
        private final long min;
        private final long max;
        private final String notANumber;
        private final java.util.function.LongFunction<T> box;

        IntegerRange(long min, long max, String notANumber, java.util.function.LongFunction<T> box) {
            this.min = min;
            this.max = max;
            this.notANumber = notANumber;
            this.box = box;
        }

        @Override
        public T convert(String s) {
            long v;
            try {
                v = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException(notANumber);
            }
            if (v < min || v > max) {
                throw new TypeConversionException("must be from " + min + " to " + max);
            }
            return box.apply(v);
        }
    }

    private static long integer(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            // beyond a long: still a number, out of range for any count
            if (s.trim().matches("[+-]?\\d+")) {
                throw new TypeConversionException(s.trim().startsWith("-") ? "must be at least 1"
                        : "must be at most " + Long.MAX_VALUE);
            }
            throw new TypeConversionException("not an integer");
        }
    }

    private static int[] pair(String s, String form) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        String[] parts = t.split("x", -1);
        if (parts.length > 2) {
            throw new TypeConversionException("not of the form " + form);
        }
        int[] v = new int[2];
        for (int i = 0; i < 2; i++) {
            String part = parts[Math.min(i, parts.length - 1)].trim();
            long n;
            try {
                n = Long.parseLong(part);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("not of the form " + form);
            }
            if (n < 1 || n > Integer.MAX_VALUE) {
                throw new TypeConversionException("sides must be positive integers (form " + form + ")");
            }
            v[i] = (int) n;
        }
        return v;
    }
}
