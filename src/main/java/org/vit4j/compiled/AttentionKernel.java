package org.vit4j.compiled;

import org.vit4j.Names;
import org.vit4j.Named;

/**
 * How the compiled forward computes fp32 attention {@code softmax(q k^T / sqrt(hd)) v} over {@code
 * (B, H, T, hd)}: {@code flash}, libtorch's CPU flash kernel ({@code
 * aten::scaled_dot_product_attention}: blocks of keys, the scores never written out); {@code matmul},
 * two batched products and the softmax between them (the scores {@code (B, H, T, T)} written out, as
 * the bf16 forward always does); {@code auto}, the faster of the two measured at the compiled batch
 * and grid ({@link KernelChooser}; {@code flash} on a GPU). bf16 always takes the two products.
 */
public enum AttentionKernel implements Named {
    /** {@code aten::scaled_dot_product_attention}. */
    FLASH,
    /** Two batched products with the softmax between them. */
    MATMUL,
    /** Measured. */
    AUTO;

    /**
     * Parses {@code flash}, {@code matmul} or {@code auto}.
     *
     * @param name the name (case-insensitive)
     * @return the kernel
     * @throws IllegalArgumentException naming the valid values
     */
    public static AttentionKernel fromName(String name) {
        return Names.parse(AttentionKernel.class, "attention kernel", name);
    }

    /**
     * The program's code of this route ({@code vit.py attention_names()}).
     *
     * @return 0 {@code flash}, 1 {@code matmul}
     * @throws IllegalStateException for {@code auto}
     */
    public int route() {
        return switch (this) {
            case FLASH -> 0;
            case MATMUL -> 1;
            case AUTO -> throw new IllegalStateException("auto has no route of its own");
        };
    }
}
