package org.vit4j.image;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * How {@link ImagePreprocessor} brings an image of any size to the size the model consumes.
 *
 * <p>With a target of {@code (height, width)} and patch size {@code p}:
 * <ul>
 *   <li>{@link #RESIZE_CROP} — timm's evaluation transform: scale (keeping the aspect ratio) so
 *       the image covers {@code floor(height / cropPct) x floor(width / cropPct)}, then center
 *       crop to {@code (height, width)}. For a square target this is torchvision
 *       {@code Resize(floor(size / cropPct))} followed by {@code CenterCrop(size)}.</li>
 *   <li>{@link #RESIZE} — resize to exactly {@code (height, width)}, ignoring the aspect ratio.</li>
 *   <li>{@link #PAD} — no resampling: pad bottom and right up to the next multiple of {@code p}.</li>
 *   <li>{@link #STRICT} — no resampling: refuse images whose sides are not multiples of {@code p}.</li>
 * </ul>
 */
public enum SizingPolicy implements Named {
    /** Resize the shorter side to {@code floor(size / cropPct)}, then center crop (default). */
    RESIZE_CROP,
    /** Resize to exactly the target height and width. */
    RESIZE,
    /** Keep the pixels; pad bottom/right to multiples of the patch size. */
    PAD,
    /** Keep the pixels; refuse sides that are not multiples of the patch size. */
    STRICT;

    /**
     * Parses a policy from its command-line name or its constant name, case-insensitively
     * ({@code "resize-crop"}, {@code "RESIZE_CROP"} and {@code "resize_crop"} all work).
     *
     * @param s the name
     * @return the policy
     * @throws IllegalArgumentException if {@code s} names no policy; the message lists the valid names
     */
    public static SizingPolicy fromName(String s) {
        return Names.parse(SizingPolicy.class, "sizing policy", s);
    }
}
