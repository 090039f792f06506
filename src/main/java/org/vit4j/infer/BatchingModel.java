package org.vit4j.infer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.Architecture;

/**
 * Dynamic batching: a thread-safe front over one {@link InferenceModel} that gathers concurrent
 * single-image {@code classify} and {@code embed} calls into one forward pass, as Triton's dynamic
 * batcher ({@code max_queue_delay}) and DJL Serving ({@code batchSize}, {@code maxBatchDelay}) do,
 * inside the application's own JVM.
 *
 * <ul>
 *   <li>Calls wait in groups of one kind of work (classify, or one {@link TokenKind}) and one
 *       preprocessed size {@code (C, H, W)}. A group runs as one forward pass of {@code (B, C, H, W)}
 *       once it holds {@code maxBatch} images, or {@code maxDelay} after its first image arrived,
 *       whichever comes first; one thread runs the passes, one after the other, so the cores go to
 *       one batch at a time instead of to competing single-image passes.
 *   <li>Each caller gets its own result, bit-identical to calling the model alone (the forward's
 *       rows do not depend on each other), or its own error: images are decoded and checked
 *       against the model in the caller's thread before they queue, so a bad image fails only its
 *       own call; should a pass still fail, its images are run again one by one.
 *   <li>The queue is bounded: a call that finds {@code queueCapacity} images waiting fails at once
 *       with {@link QueueFullException}.
 *   <li>{@link #close()} runs what is queued (without waiting out {@code maxDelay}), then stops;
 *       later calls throw {@link IllegalStateException}. It does not close the model.
 * </ul>
 *
 * <p>What the options trade: a larger {@code maxBatch} gives more images per second under load (on
 * a CPU a batch of 8 runs 1.3–1.9× faster per image than 8 single passes) and longer passes; a
 * larger {@code maxDelay} lets batches fill when calls are sparse, at the cost of up to that much
 * extra latency for every call; {@code maxDelay} 0 batches only what queued during the previous
 * pass.
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.load(Path.of("models/my-vit"), Device.cpu());
 *      BatchingModel batcher = BatchingModel.builder().setModel(model)
 *              .optMaxBatch(8).optMaxDelay(Duration.ofMillis(5)).build()) {
 *     // from any number of threads:
 *     Classification c = batcher.classify(Files.readAllBytes(file), file.toString(), 3);
 * }
 * }</pre>
 */
public final class BatchingModel implements AutoCloseable {

    private final InferenceModel model;
    private final VitClassifier classifier;
    private final VitEncoder encoder;
    private final int maxBatch;
    private final Duration maxDelay;
    private final long delayNanos;
    private final int queueCapacity;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Waiting calls by group, oldest group first; guarded by {@link #lock}. */
    private final Map<Key, ArrayDeque<Job>> groups = new LinkedHashMap<>();
    /** Calls waiting in {@link #groups}; guarded by {@link #lock}. */
    private int waiting;
    /** Whether {@link #close} was called; guarded by {@link #lock}. */
    private boolean closed;

    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong images = new AtomicLong();
    private final Thread runner;

    private BatchingModel(Builder b) {
        this.model = b.model;
        this.classifier = model.classifier();
        this.encoder = model.encoder(false);
        this.maxBatch = b.maxBatch;
        this.maxDelay = b.maxDelay;
        this.delayNanos = b.maxDelay.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1).toNanos() : b.maxDelay.toNanos();
        this.queueCapacity = b.queueCapacity;
        this.runner = new Thread(this::runPasses, "vit4j-batcher");
        runner.setDaemon(true);
        runner.start();
    }

    /** @return a builder; {@code setModel} is required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the model the passes run on (not owned) */
    public InferenceModel getModel() {
        return model;
    }

    /** @return the most images in one forward pass */
    public int getMaxBatch() {
        return maxBatch;
    }

    /** @return how long a first waiting call waits for others to join its pass, at most */
    public Duration getMaxDelay() {
        return maxDelay;
    }

    /** @return the most calls that may wait at once */
    public int getQueueCapacity() {
        return queueCapacity;
    }

    /** @return the forward passes run so far */
    public long passes() {
        return passes.get();
    }

    /** @return the images that went through those passes */
    public long images() {
        return images.get();
    }

    /** @return the calls waiting for a pass now */
    public int queued() {
        lock.lock();
        try {
            return waiting;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes and preprocesses an encoded image (any format vit4j reads) in the calling thread.
     *
     * @param encoded the file's bytes
     * @param name the image's name in messages
     * @return model input {@code (C, H, W)}
     * @throws ImageLoadException naming {@code name} and the reason ({@link
     *     org.vit4j.image.ImageTooLargeException} for the pixel limit), worded as {@code vit4j
     *     predict} words it
     */
    public PreprocessedImage decode(byte[] encoded, String name) throws ImageLoadException {
        try {
            return model.getPreprocessor().apply(model.getLoader().load(encoded, name), name);
        } catch (ImageLoadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ImageLoadException(name, e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } catch (OutOfMemoryError e) {
            throw new ImageLoadException(name, "not enough memory to decode this image");
        }
    }

    /**
     * Classifies one encoded image, decoded in the calling thread, in a pass shared with
     * concurrent calls.
     *
     * @param encoded the file's bytes
     * @param name the image's name in messages
     * @param topK how many classes to list, 1..K
     * @return the classification, equal to {@link VitClassifier#classify(List, int)} of this image alone
     * @throws ImageLoadException if the bytes are not a readable image ({@link #decode})
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher or its model is closed
     */
    public Classification classify(byte[] encoded, String name, int topK) throws ImageLoadException {
        return classify(decode(encoded, name), topK);
    }

    /**
     * Classifies one preprocessed image in a pass shared with concurrent calls; waits for it.
     *
     * @param image model input {@code (C, H, W)}
     * @param topK how many classes to list, 1..K
     * @return the classification
     * @throws IllegalArgumentException if topK is out of range or the image does not fit the model
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher or its model is closed
     */
    public Classification classify(PreprocessedImage image, int topK) {
        return await(classifyAsync(image, topK));
    }

    /**
     * Queues one preprocessed image for classification.
     *
     * @param image model input {@code (C, H, W)}
     * @param topK how many classes to list, 1..K
     * @return the classification when its pass has run, or the pass's failure
     * @throws IllegalArgumentException if topK is out of range or the image does not fit the model
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher is closed
     */
    public CompletableFuture<Classification> classifyAsync(PreprocessedImage image, int topK) {
        int k = model.getConfig().architecture().numClasses();
        if (topK < 1 || topK > k) {
            throw new IllegalArgumentException("top-k " + topK + " must be between 1 and the " + k + " classes");
        }
        return submit(null, image, topK).thenApply(r -> {
            Classification all = (Classification) r;
            return new Classification(List.copyOf(all.top().subList(0, topK)), all.logits(), all.pooled());
        });
    }

    /**
     * One kind of output of one encoded image, decoded in the calling thread, in a pass shared
     * with concurrent calls; token kinds give the patch tokens only ({@code T = N}), as {@code
     * vit4j embed} without {@code --prefix}.
     *
     * @param encoded the file's bytes
     * @param name the image's name in messages
     * @param kind which output
     * @return the embedding, equal to {@link VitEncoder#embed} of this image alone
     * @throws ImageLoadException if the bytes are not a readable image ({@link #decode})
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher or its model is closed
     */
    public Embedding embed(byte[] encoded, String name, TokenKind kind) throws ImageLoadException {
        return embed(decode(encoded, name), kind);
    }

    /**
     * One kind of output of one preprocessed image; waits for its pass.
     *
     * @param image model input {@code (C, H, W)}
     * @param kind which output
     * @return the embedding
     * @throws IllegalArgumentException if the image does not fit the model
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher or its model is closed
     */
    public Embedding embed(PreprocessedImage image, TokenKind kind) {
        return await(embedAsync(image, kind));
    }

    /**
     * Queues one preprocessed image for one kind of output.
     *
     * @param image model input {@code (C, H, W)}
     * @param kind which output
     * @return the embedding when its pass has run, or the pass's failure
     * @throws IllegalArgumentException if the image does not fit the model
     * @throws QueueFullException if the queue is full
     * @throws IllegalStateException if this batcher is closed
     */
    public CompletableFuture<Embedding> embedAsync(PreprocessedImage image, TokenKind kind) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        return submit(kind, image, 0).thenApply(r -> (Embedding) r);
    }

    /** Checks an image against the model and queues it in its group. */
    private CompletableFuture<Object> submit(TokenKind kind, PreprocessedImage image, int topK) {
        Architecture a = model.getConfig().architecture();
        int p = a.patchSize();
        if (image.channels() != a.channels() || image.height() % p != 0 || image.width() % p != 0) {
            throw new IllegalArgumentException("image " + image.channels() + "x" + image.height() + "x"
                    + image.width() + " (C x H x W) does not fit the model: needs C=" + a.channels()
                    + " and H, W multiples of patch size " + p);
        }
        Job job = new Job(new Key(kind, image.channels(), image.height(), image.width()), image,
                new CompletableFuture<>(), System.nanoTime());
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this BatchingModel is closed");
            }
            if (waiting >= queueCapacity) {
                throw new QueueFullException(queueCapacity);
            }
            groups.computeIfAbsent(job.key, k -> new ArrayDeque<>()).addLast(job);
            waiting++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return job.result;
    }

    /** The runner thread: takes the next ready group, runs it, until closed and drained. */
    private void runPasses() {
        while (true) {
            List<Job> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return; // only close() could interrupt, and it does not
            }
            if (batch == null) {
                return;
            }
            run(batch);
        }
    }

    /**
     * Waits for a group that is full, past its delay, or any group once closed; takes up to
     * {@code maxBatch} of its calls, oldest first.
     *
     * @return the calls of one pass, or null when closed and nothing waits
     */
    private List<Job> next() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                if (waiting == 0) {
                    if (closed) {
                        return null;
                    }
                    changed.await();
                    continue;
                }
                long now = System.nanoTime();
                Key ready = null;
                long readySince = 0;
                long wait = Long.MAX_VALUE;
                for (Map.Entry<Key, ArrayDeque<Job>> g : groups.entrySet()) {
                    long first = g.getValue().peekFirst().enqueued;
                    long left = delayNanos - (now - first);
                    if (closed || g.getValue().size() >= maxBatch || left <= 0) {
                        if (ready == null || first - readySince < 0) {
                            ready = g.getKey();
                            readySince = first;
                        }
                    } else {
                        wait = Math.min(wait, left);
                    }
                }
                if (ready == null) {
                    changed.awaitNanos(wait);
                    continue;
                }
                ArrayDeque<Job> q = groups.get(ready);
                List<Job> batch = new ArrayList<>(Math.min(q.size(), maxBatch));
                while (!q.isEmpty() && batch.size() < maxBatch) {
                    batch.add(q.pollFirst());
                }
                if (q.isEmpty()) {
                    groups.remove(ready);
                }
                waiting -= batch.size();
                return batch;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Runs one pass and hands each call its result; a failed pass is run again image by image. */
    private void run(List<Job> batch) {
        batch.removeIf(j -> j.result.isDone()); // cancelled by its caller
        if (batch.isEmpty()) {
            return;
        }
        try {
            List<?> results = compute(batch.get(0).key.kind, batch.stream().map(j -> j.image).toList());
            passes.incrementAndGet();
            images.addAndGet(batch.size());
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(results.get(i));
            }
        } catch (RuntimeException | Error e) {
            if (batch.size() == 1) {
                batch.get(0).result.completeExceptionally(e);
                return;
            }
            for (Job j : batch) {
                run(new ArrayList<>(List.of(j)));
            }
        }
    }

    /** One forward pass over images of one size: all classes' order for classify, else one kind. */
    private List<?> compute(TokenKind kind, List<PreprocessedImage> batch) {
        if (kind == null) {
            return classifier.classify(batch, model.getConfig().architecture().numClasses());
        }
        return encoder.embed(batch, kind);
    }

    /** A call's result in the calling thread: its value, or its own failure rethrown. */
    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * Refuses new calls, runs every queued one (without waiting out {@code maxDelay}) and waits for
     * the last pass; closing twice does nothing more. The model stays open.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        while (runner.isAlive() && Thread.currentThread() != runner) {
            try {
                runner.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** What may share a pass: the kind of work ({@code null} for classify) and the image size. */
    private record Key(TokenKind kind, int channels, int height, int width) {}

    /** One waiting call. */
    private static final class Job {
        final Key key;
        final PreprocessedImage image;
        final CompletableFuture<Object> result;
        final long enqueued;

        Job(Key key, PreprocessedImage image, CompletableFuture<Object> result, long enqueued) {
            this.key = key;
            this.image = image;
            this.result = result;
            this.enqueued = enqueued;
        }
    }

    /** Builds a {@link BatchingModel}: {@code setModel} is required, {@code opt} methods have defaults. */
    public static final class Builder {
        private InferenceModel model;
        private int maxBatch = 8;
        private Duration maxDelay = Duration.ofMillis(5);
        private int queueCapacity = 256;

        private Builder() {}

        /**
         * The model the passes run on; the batcher does not close it.
         *
         * @param model an open model
         * @return this
         */
        public Builder setModel(InferenceModel model) {
            this.model = model;
            return this;
        }

        /**
         * The most images in one forward pass.
         *
         * @param maxBatch default 8, at least 1
         * @return this
         */
        public Builder optMaxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /**
         * How long the first waiting call of a group waits for others before its pass runs.
         *
         * @param maxDelay default 5 ms, zero or more
         * @return this
         */
        public Builder optMaxDelay(Duration maxDelay) {
            this.maxDelay = maxDelay;
            return this;
        }

        /**
         * The most calls that may wait at once; one more fails with {@link QueueFullException}.
         *
         * @param queueCapacity default 256, at least 1
         * @return this
         */
        public Builder optQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        /**
         * Checks the settings and starts the batcher's thread.
         *
         * @return the batcher, for the caller to close
         * @throws IllegalArgumentException naming the setting and its value if the model is
         *     missing, maxBatch or queueCapacity is below 1, or maxDelay is null or negative
         */
        public BatchingModel build() {
            if (model == null) {
                throw new IllegalArgumentException("setModel is required");
            }
            if (maxBatch < 1) {
                throw new IllegalArgumentException("maxBatch must be at least 1, got " + maxBatch);
            }
            if (maxDelay == null || maxDelay.isNegative()) {
                throw new IllegalArgumentException("maxDelay must be zero or more, got " + maxDelay);
            }
            if (queueCapacity < 1) {
                throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
            }
            return new BatchingModel(this);
        }
    }
}
