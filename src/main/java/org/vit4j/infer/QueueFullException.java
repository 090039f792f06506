package org.vit4j.infer;

import java.util.concurrent.RejectedExecutionException;

/**
 * A call refused at once because a {@link BatchingModel}'s queue already holds as many images as
 * its capacity allows: the caller may retry later ({@code vit4j serve} answers 503 with {@code
 * Retry-After}). The queue never grows past its capacity, so a burst of callers cannot exhaust the
 * heap.
 */
public final class QueueFullException extends RejectedExecutionException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the refusal.
     *
     * @param capacity the queue's capacity, named in the message
     */
    public QueueFullException(int capacity) {
        super("the queue is full: " + capacity + " image(s) are waiting for a forward pass; try again later");
    }
}
