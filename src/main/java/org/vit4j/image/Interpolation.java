package org.vit4j.image;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Resampling filter used by {@link Resizer}, with PIL's definitions.
 *
 * <ul>
 *   <li>{@link #BILINEAR} — triangle filter, support 1.</li>
 *   <li>{@link #BICUBIC} — Keys cubic convolution with {@code a = -0.5}, support 2.</li>
 * </ul>
 * When downscaling, the support is widened by the scale factor (antialiasing), as in PIL and
 * torchvision with {@code antialias=True}.
 */
public enum Interpolation implements Named {
    /** Triangle filter, support 1 (PIL {@code Image.BILINEAR}). */
    BILINEAR(1.0),
    /** Cubic convolution, {@code a = -0.5}, support 2 (PIL {@code Image.BICUBIC}, timm's default). */
    BICUBIC(2.0);

    private final double support;

    Interpolation(double support) {
        this.support = support;
    }

    /** Half-width of the filter at scale 1, in input pixels. */
    double support() {
        return support;
    }

    /**
     * Evaluates the filter kernel at distance {@code x} (PIL {@code Resample.c}).
     *
     * @param x distance from the output pixel centre, in (scaled) input pixels
     * @return the unnormalised weight
     */
    double kernel(double x) {
        if (this == BILINEAR) {
            double t = Math.abs(x);
            return t < 1.0 ? 1.0 - t : 0.0;
        }
        return keys(x, KEYS_A);
    }

    /** Keys' {@code a} of {@link #BICUBIC}: PIL's bicubic and PyTorch's antialiased bicubic. */
    public static final double KEYS_A = -0.5;

    /**
     * Keys' cubic convolution kernel (Keys 1981, "Cubic convolution interpolation for digital image
     * processing"): {@code ((a+2)|x| - (a+3))x^2 + 1} for {@code |x| < 1},
     * {@code a(|x|^3 - 5|x|^2 + 8|x| - 4)} for {@code 1 <= |x| < 2}, else 0; evaluated as PIL's
     * {@code bicubic_filter} does.
     *
     * @param x distance in input pixels
     * @param a the free parameter: {@link #KEYS_A} for PIL and PyTorch's antialiased bicubic,
     *     {@code -0.75} for PyTorch's plain bicubic
     * @return the weight
     */
    public static double keys(double x, double a) {
        double t = Math.abs(x);
        if (t < 1.0) {
            return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
        }
        if (t < 2.0) {
            return (((t - 5.0) * t + 8.0) * t - 4.0) * a;
        }
        return 0.0;
    }

    /**
     * Parses an interpolation from its name, case-insensitively.
     *
     * @param s {@code "bilinear"} or {@code "bicubic"}
     * @return the interpolation
     * @throws IllegalArgumentException if {@code s} names none; the message lists the valid names
     */
    public static Interpolation fromName(String s) {
        return Names.parse(Interpolation.class, "interpolation", s);
    }
}
