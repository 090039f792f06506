package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One {@link VitClassifier} shared by 8 threads gives exactly the single-threaded answers. */
class VitClassifierConcurrencyTest {

    private static final int THREADS = 8;
    private static final int PER_THREAD = 200;

    @TempDir
    Path tmp;

    @Test
    void eightThreadsGiveTheSingleThreadedLogitsExactly() throws Exception {
        Path dir = Fixtures.savedModel(tmp.resolve("m"), 11);
        List<BufferedImage> pictures = Fixtures.pictures(12, 5);
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            VitClassifier clf = model.classifier();
            List<Classification> expected = new ArrayList<>();
            for (BufferedImage p : pictures) {
                expected.add(clf.classify(p, 3));
            }
            // the pictures really differ: no two share logits
            for (int i = 1; i < expected.size(); i++) {
                assertTrue(!java.util.Arrays.equals(expected.get(0).logits(), expected.get(i).logits()), "picture " + i);
            }

            assertTimeoutPreemptively(Duration.ofMinutes(5), () -> {
                ExecutorService pool = Executors.newFixedThreadPool(THREADS);
                try {
                    CountDownLatch start = new CountDownLatch(1);
                    List<Future<Integer>> done = new ArrayList<>();
                    for (int t = 0; t < THREADS; t++) {
                        int thread = t;
                        Callable<Integer> work = () -> {
                            start.await();
                            for (int i = 0; i < PER_THREAD; i++) {
                                int k = (thread * 7 + i * 5) % pictures.size();
                                Classification c = clf.classify(pictures.get(k), 3);
                                Classification want = expected.get(k);
                                String where = "thread " + thread + " call " + i + " picture " + k;
                                assertArrayEquals(want.logits(), c.logits(), where);
                                assertArrayEquals(want.pooled(), c.pooled(), where);
                                assertEquals(want.top(), c.top(), where);
                            }
                            return PER_THREAD;
                        };
                        done.add(pool.submit(work));
                    }
                    start.countDown();
                    int total = 0;
                    for (Future<Integer> f : done) {
                        total += f.get(); // rethrows a thread's assertion failure
                    }
                    assertEquals(THREADS * PER_THREAD, total);
                } finally {
                    pool.shutdownNow();
                }
            });
        }
    }
}
