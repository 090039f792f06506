package org.vit4j.position;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Which head dimensions a rotary embedding rotates together. With {@code D} the head width and
 * {@code D/2} rotation angles {@code a_0 .. a_{D/2-1}}, pair {@code p} is turned by {@code a_p}:
 *
 * <ul>
 *   <li>{@link #INTERLEAVED}: dims {@code (2p, 2p+1)}, timm's {@code rot} / {@code
 *       apply_rot_embed_cat(half=False)} (EVA, RoPE-ViT): {@code x' = x·cos + rot(x)·sin} with
 *       {@code rot(x) = [-x1, x0, -x3, x2, ..]} and each angle repeated twice
 *       ({@code repeat_interleave(2)}).
 *   <li>{@link #HALF}: dims {@code (p, p + D/2)}, timm's {@code rope_rotate_half} (DINOv3, GPT-NeoX):
 *       {@code rotate_half(x) = [-x_{D/2..D-1} | x_{0..D/2-1}]} and the angles tiled twice.
 * </ul>
 *
 * Both are the same rotation with the head dimensions permuted ({@code interleaved[2p] = half[p]},
 * {@code interleaved[2p+1] = half[p + D/2]}): the compiled program permutes a half-layout model's
 * query and key rows so, and always turns adjacent pairs.
 */
public enum RopeLayout implements Named {
    /** Rotate adjacent pairs {@code (2p, 2p+1)}. */
    INTERLEAVED,
    /** Rotate {@code (p, p + D/2)}. */
    HALF;

    /**
     * The first dimension of rotation pair {@code p}.
     *
     * @param p pair index in {@code [0, D/2)}
     * @param dim head width {@code D}
     * @return {@code 2p} or {@code p}
     */
    public int first(int p, int dim) {
        return this == INTERLEAVED ? 2 * p : p;
    }

    /**
     * The second dimension of rotation pair {@code p}.
     *
     * @param p pair index in {@code [0, D/2)}
     * @param dim head width {@code D}
     * @return {@code 2p + 1} or {@code p + D/2}
     */
    public int second(int p, int dim) {
        return this == INTERLEAVED ? 2 * p + 1 : p + dim / 2;
    }

    /**
     * The angle index each head dimension is turned by: {@code j/2} for interleaved pairs,
     * {@code j mod D/2} for halves (timm's {@code repeat_interleave(2)} versus {@code tile(2)}).
     *
     * @param j head dimension in {@code [0, D)}
     * @param dim head width {@code D}
     * @return the pair index
     */
    public int pairOf(int j, int dim) {
        return this == INTERLEAVED ? j / 2 : j % (dim / 2);
    }

    /**
     * Parses a {@link #cliName()}, ignoring case.
     *
     * @param s the name
     * @return the layout
     * @throws IllegalArgumentException naming the input and listing the valid names
     */
    public static RopeLayout fromName(String s) {
        return Names.parse(RopeLayout.class, "rope layout", s);
    }

    /** @return {@link #cliName()} */
    @Override
    public String toString() {
        return cliName();
    }
}
