package org.vit4j.compiled;

import ai.djl.Device;

/**
 * How many parts the compiled inference forward cuts a batch into, each computed on one thread at
 * once ({@code vit.py}'s {@code parts}: parts 1.. as libtorch inter-op tasks, part 0 on the
 * calling thread, results concatenated in order). A batch of one image is never split, and a batch
 * is never cut into more parts than it has images.
 *
 * <p>Why it exists: on a few cores a small model's operators are too short to share among threads,
 * whole parts of a batch are not; the training step gains from it ({@code
 * CompiledTrainStep#shards}). For the inference forward alone it was slower on the CPU measured,
 * so {@link #AUTO} does not split; it stays an option to measure on other CPUs. The
 * parts run in {@link PartsThread}'s layout: every part on one intra-op thread, while the other
 * threads of the process, batch-1 calls among them, keep theirs.
 *
 * <p>{@link #AUTO}: whole batches, on a CPU (where parts were measured slower for inference) and on
 * a GPU. {@link #of of(n)}: {@code n} parts wherever the batch has that many images; at most one
 * more than libtorch's inter-op threads run at once (the calling thread computes part 0).
 *
 * @param count the parts asked for, or 0 for {@code auto}
 */
public record BatchParts(int count) {

    /** Whole batches (see {@link #resolve}); parts are opt-in with {@link #of}. */
    public static final BatchParts AUTO = new BatchParts(0);

    /**
     * The setting.
     *
     * @param count 0 for {@code auto}, else the parts
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public BatchParts {
        if (count < 0) {
            throw new IllegalArgumentException("batch parts must be at least 1 (or auto), got " + count);
        }
    }

    /**
     * A fixed number of parts.
     *
     * @param parts at least 1 (1: the whole batch in one pass)
     * @return the setting
     * @throws IllegalArgumentException if {@code parts} is below 1
     */
    public static BatchParts of(int parts) {
        if (parts < 1) {
            throw new IllegalArgumentException("batch parts must be at least 1, got " + parts);
        }
        return new BatchParts(parts);
    }

    /**
     * Parses {@code auto} or a positive count.
     *
     * @param text the text (case-insensitive)
     * @return the setting
     * @throws IllegalArgumentException if it is neither, naming the valid values
     */
    public static BatchParts parse(String text) {
        if ("auto".equalsIgnoreCase(text.trim())) {
            return AUTO;
        }
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return of(n);
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("expected a positive number of parts or auto, got '" + text + "'");
    }

    /** @return whether this is {@code auto} */
    public boolean isAuto() {
        return count == 0;
    }

    /**
     * The most parts a batch is cut into on a device, with the reason; {@code auto} reads
     * libtorch's thread counts (start the engine first).
     *
     * @param device where the forward runs
     * @return the resolved setting
     */
    public Choice resolve(Device device) {
        if (!isAuto()) {
            return new Choice(count, count == 1 ? "1 requested: the whole batch in one pass" : count + " requested");
        }
        if (device.isGpu()) {
            return new Choice(1, "auto: a GPU computes the whole batch in one pass");
        }
        return AUTO_CPU;
    }

    /**
     * {@code auto} on a CPU: whole batches. Two one-thread parts were slower than one two-thread
     * pass for every inference model measured (ViT-Ti/16 and ViT-B/16 at batch 16, fashion-small at
     * batch 128, on a 2-core Zen 5: BENCHMARKS.md, where the time goes), unlike the training step,
     * whose backward pass gains from parts ({@code CompiledTrainStep#shards}).
     */
    static final Choice AUTO_CPU = new Choice(1, "auto: whole batches (parts were slower for inference where measured)");

    /** @return {@code auto} or the count */
    @Override
    public String toString() {
        return isAuto() ? "auto" : Integer.toString(count);
    }

    /**
     * A resolved setting.
     *
     * @param max the most parts a batch is cut into (1: never split)
     * @param reason why (e.g. {@code auto: 2 intra-op threads, 1 inter-op thread})
     */
    public record Choice(int max, String reason) {

        /** The whole batch in one pass. */
        public static final Choice ONE = new Choice(1, "one pass");

        /**
         * The parts of a batch: 1 for a batch of one image, else at most {@link #max} and at most
         * one per image.
         *
         * @param batch the batch's images
         * @return the parts
         */
        public int partsFor(long batch) {
            return (int) Math.max(1, Math.min(max, batch));
        }

        /** @return e.g. {@code 2 (auto: 2 intra-op threads, 1 inter-op thread)} */
        @Override
        public String toString() {
            return max + " (" + reason + ")";
        }
    }
}
