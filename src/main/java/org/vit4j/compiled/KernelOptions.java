package org.vit4j.compiled;

import java.nio.file.Path;

/**
 * What the compiled forward's kernels are chosen for: the linear kernel and the attention kernel
 * requested, the batch the forward is compiled for (the row count that {@code mkl} packs its
 * weights for and that {@code auto} measures at), where measured choices are cached, and whether
 * to measure again.
 *
 * @param linear the requested linear kernel, resolved for the precision ({@link LinearKernel#resolve}),
 *     or null: {@code auto} resolved when compiling ({@code aten} on a GPU)
 * @param attention the requested attention kernel
 * @param batch images per pass the kernels are chosen for
 * @param cacheDirectory directory of the measured choices' cache ({@link KernelCache})
 * @param remeasure measure every route even where the cache has the shape, and replace its entry
 */
public record KernelOptions(LinearKernel.Choice linear, AttentionKernel attention, int batch, Path cacheDirectory,
        boolean remeasure) {

    /**
     * Checks the values.
     *
     * @param linear the requested linear kernel, or null
     * @param attention the requested attention kernel
     * @param batch images per pass, positive
     * @param cacheDirectory the cache's directory
     * @param remeasure measure again
     */
    public KernelOptions {
        if (attention == null || cacheDirectory == null) {
            throw new IllegalArgumentException("attention kernel and cache directory are required");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch " + batch + ": must be at least 1");
        }
    }

    /** @return the defaults: auto kernels, batch 1, the user's cache directory ({@link KernelCache#defaultDirectory}) */
    public static KernelOptions defaults() {
        return builder().build();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link KernelOptions}; every setting is optional. */
    public static final class Builder {
        private LinearKernel.Choice linear;
        private AttentionKernel attention = AttentionKernel.AUTO;
        private int batch = 1;
        private Path cacheDirectory;
        private boolean remeasure;

        private Builder() {}

        /**
         * The linear kernel, already resolved ({@link LinearKernel#resolve}).
         *
         * @param linear the choice (default: {@code auto} resolved for the precision and device)
         * @return this builder
         */
        public Builder optLinear(LinearKernel.Choice linear) {
            this.linear = linear;
            return this;
        }

        /**
         * The attention kernel.
         *
         * @param attention the kernel (default {@code auto})
         * @return this builder
         */
        public Builder optAttention(AttentionKernel attention) {
            this.attention = attention;
            return this;
        }

        /**
         * The batch the kernels are chosen for: {@code mkl} packs its weights for its row count and
         * {@code auto} measures there; passes with other batches still compute correctly.
         *
         * @param batch images per pass (default 1, the latency case)
         * @return this builder
         */
        public Builder optBatch(int batch) {
            this.batch = batch;
            return this;
        }

        /**
         * Where measured choices are cached.
         *
         * @param cacheDirectory the directory (default {@link KernelCache#defaultDirectory()})
         * @return this builder
         */
        public Builder optCacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
            return this;
        }

        /**
         * Measures every route again, ignoring and then replacing the cached entries (a probe of
         * this machine's kernels).
         *
         * @param remeasure true to measure again (default false)
         * @return this builder
         */
        public Builder optRemeasure(boolean remeasure) {
            this.remeasure = remeasure;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException for a batch below 1, naming it
         */
        public KernelOptions build() {
            return new KernelOptions(linear, attention, batch,
                    cacheDirectory != null ? cacheDirectory : KernelCache.defaultDirectory(), remeasure);
        }
    }
}
