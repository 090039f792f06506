package org.vit4j.compiled;

import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

/**
 * The thread layout of a forward in parts ({@link BatchParts}): every part on one intra-op thread,
 * while the process's other threads keep their own count.
 *
 * <p>libtorch (an OpenMP build) keeps the intra-op thread count per OS thread; {@code
 * at::set_num_threads} sets the calling thread's count and a process-wide one, which a thread takes
 * when it first runs a parallel operator, and which each inter-op pool thread takes when it starts
 * (the pool starts at the first fork and keeps its threads). So a parted pass run from an ordinary
 * thread computes part 0 with all of that thread's intra-op threads beside the forked parts; with
 * the count set to 1 for the whole process, batch-1 calls get one thread too. This class instead
 * runs every parted pass on one thread of its own whose count is 1, and starts the inter-op pool
 * while the process-wide count is 1; then it sets the process-wide count back from a short-lived
 * thread, so the threads that called nothing here keep theirs. Checked with per-thread CPU times
 * on 2 cores: parts on this thread and one pool thread, no others; batch-1 calls elsewhere on two.
 *
 * <p>One thread for the process: parted passes (each uses as many cores as it has parts) take
 * turns. The pool's threads are started in {@link #start}'s window only if no fork started them
 * earlier; where one did (another library's TorchScript fork in the same process), they keep the
 * count they started with, and {@link #layout} says so.
 */
final class PartsThread {

    /** The name of libtorch's inter-op pool threads (set by the pool, as each starts). */
    private static final String POOL_THREAD = "PTThreadPool";

    private static ExecutorService executor;
    private static volatile Thread thread;
    private static String layout;

    private PartsThread() {}

    /**
     * Starts the thread and libtorch's inter-op pool in the layout, once per process; later calls
     * return at once.
     *
     * @param prime a parted pass (it forks, which starts the pool), run on the new thread while
     *     libtorch's process-wide intra-op count is 1
     */
    static synchronized void start(Runnable prime) {
        if (executor != null) {
            return;
        }
        int threads = JniUtils.getNumThreads();
        int before = poolThreads();
        ExecutorService e = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vit4j-batch-parts");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        boolean started = false;
        try {
            await(e.submit(() -> {
                JniUtils.setNumThreads(1); // this thread's count, and the process's while the pool starts
                prime.run();
                awaitPool(JniUtils.getNumInteropThreads());
                return null;
            }));
            started = true;
        } finally {
            if (!started) {
                e.shutdown();
            }
            // the process-wide count back, set from a thread of its own: the caller's state is untouched
            Thread restore = new Thread(() -> JniUtils.setNumThreads(threads), "vit4j-threads-restore");
            restore.start();
            try {
                restore.join();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        }
        executor = e;
        layout = before > 0
                ? "part 0 on one thread; the inter-op pool was started before (another fork in this process):"
                        + " its threads keep the intra-op count they started with"
                : "parts on one thread each";
    }

    /** @return the layout parted passes run in, or null before {@link #start} */
    static synchronized String layout() {
        return layout;
    }

    /**
     * Runs a parted pass on the thread.
     *
     * @param work the pass
     * @param <T> its result
     * @return its result
     * @throws IllegalStateException before {@link #start}
     */
    static <T> T call(Supplier<T> work) {
        ExecutorService e;
        synchronized (PartsThread.class) {
            e = executor;
        }
        if (e == null) {
            throw new IllegalStateException("PartsThread.start was not called");
        }
        if (Thread.currentThread() == thread) {
            return work.get(); // already on it (a pass started from a parted one would wait for itself)
        }
        return await(e.submit(work::get));
    }

    private static <T> T await(Future<T> f) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return f.get();
                } catch (InterruptedException ex) {
                    interrupted = true; // the pass holds native memory of the caller's arrays: let it finish
                } catch (ExecutionException ex) {
                    Throwable c = ex.getCause();
                    if (c instanceof RuntimeException r) {
                        throw r;
                    }
                    if (c instanceof Error err) {
                        throw err;
                    }
                    throw new IllegalStateException(c);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Waits until {@code n} pool threads have started (each names itself, then takes the
     * process-wide count), at most two seconds; where threads cannot be listed ({@code /proc}), a
     * fixed 50 ms.
     */
    private static void awaitPool(int n) throws InterruptedException {
        long end = System.nanoTime() + 2_000_000_000L;
        while (poolThreads() >= 0 && poolThreads() < n && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        Thread.sleep(poolThreads() >= 0 ? 5 : 50); // from naming itself to reading the count
    }

    /** @return how many libtorch inter-op pool threads the process has, or -1 where {@code /proc} cannot tell */
    static int poolThreads() {
        Path tasks = Path.of("/proc/self/task");
        if (!Files.isDirectory(tasks)) {
            return -1;
        }
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
            for (Path t : ds) {
                try {
                    if (POOL_THREAD.equals(Files.readString(t.resolve("comm")).trim())) {
                        n++;
                    }
                } catch (IOException ex) {
                    // the thread ended
                }
            }
        } catch (IOException ex) {
            return -1;
        }
        return n;
    }
}
