package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImageTooLargeException;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.reliability.HostileFiles;

/**
 * {@link BatchingModel}: concurrent callers get exactly what calling alone gives, in shared
 * passes; a bad image fails only its own call; a full queue refuses at once; close runs what is
 * queued and refuses the rest.
 */
class BatchingModelTest {

    @TempDir
    static Path tmp;

    static Path dir;

    @BeforeAll
    static void model() throws Exception {
        dir = Fixtures.savedModel(tmp.resolve("m"), 23);
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertTrue(ImageIO.write(img, "png", out));
        return out.toByteArray();
    }

    @Test
    void concurrentCallersGetTheirOwnResultsBitForBitInSharedPasses() throws Exception {
        List<BufferedImage> pictures = Fixtures.pictures(12, 7);
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            List<PreprocessedImage> inputs = new ArrayList<>();
            List<Classification> wantClass = new ArrayList<>();
            List<Embedding> wantTokens = new ArrayList<>();
            for (BufferedImage p : pictures) {
                PreprocessedImage x = model.preprocess(p);
                inputs.add(x);
                wantClass.add(model.classifier().classify(List.of(x), 3).get(0));
                wantTokens.add(model.encoder().embed(List.of(x), TokenKind.ENCODED).get(0));
            }
            assertFalse(Arrays.equals(wantClass.get(0).logits(), wantClass.get(1).logits()), "pictures differ");
            int threads = 16;
            int perThread = 20;
            try (BatchingModel batcher = BatchingModel.builder().setModel(model)
                    .optMaxBatch(8).optMaxDelay(Duration.ofMillis(20)).build()) {
                assertTimeoutPreemptively(Duration.ofMinutes(3), () -> {
                    ExecutorService pool = Executors.newFixedThreadPool(threads);
                    try {
                        CountDownLatch start = new CountDownLatch(1);
                        List<Future<Integer>> done = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            int thread = t;
                            done.add(pool.submit(() -> {
                                start.await();
                                for (int i = 0; i < perThread; i++) {
                                    int k = (thread * 5 + i * 7) % inputs.size();
                                    String where = "thread " + thread + " call " + i + " picture " + k;
                                    if ((thread + i) % 3 == 0) {
                                        Embedding e = batcher.embed(inputs.get(k), TokenKind.ENCODED);
                                        assertArrayEquals(wantTokens.get(k).values(), e.values(), where);
                                        assertEquals(wantTokens.get(k).tokens(), e.tokens(), where);
                                    } else {
                                        Classification c = batcher.classify(inputs.get(k), 3);
                                        assertArrayEquals(wantClass.get(k).logits(), c.logits(), where);
                                        assertArrayEquals(wantClass.get(k).pooled(), c.pooled(), where);
                                        assertEquals(wantClass.get(k).top(), c.top(), where);
                                    }
                                }
                                return perThread;
                            }));
                        }
                        start.countDown();
                        int total = 0;
                        for (Future<Integer> f : done) {
                            total += f.get();
                        }
                        assertEquals(threads * perThread, total);
                    } finally {
                        pool.shutdownNow();
                    }
                });
                assertEquals(threads * perThread, batcher.images());
                assertTrue(batcher.passes() < batcher.images() / 2,
                        "calls shared passes: " + batcher.passes() + " passes for " + batcher.images() + " images");
            }
        }
    }

    @Test
    void aBadImageFailsOnlyItsOwnCall() throws Exception {
        List<BufferedImage> pictures = Fixtures.pictures(4, 3);
        ImageLoader smallLimit = ImageLoader.builder().optChannels(1).optMaxPixels(1_000_000).build();
        try (InferenceModel model = InferenceModel.builder().setModelDirectory(dir).optLoader(smallLimit).build();
                BatchingModel batcher = BatchingModel.builder().setModel(model)
                        .optMaxBatch(16).optMaxDelay(Duration.ofMillis(200)).build()) {
            List<byte[]> good = new ArrayList<>();
            List<Classification> want = new ArrayList<>();
            for (BufferedImage p : pictures) {
                byte[] b = png(p);
                good.add(b);
                want.add(model.classifier().classify(List.of(model.read(b, "x").value()), 2).get(0));
            }
            byte[] truncated = Arrays.copyOf(good.get(0), good.get(0).length / 2);
            List<byte[]> bodies = new ArrayList<>();
            List<String> errors = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(good.get(i));
                errors.add(null);
            }
            bodies.add(new byte[0]);
            errors.add("file is empty (0 bytes)");
            bodies.add("not an image".getBytes(StandardCharsets.UTF_8));
            errors.add("not a recognised image");
            bodies.add(truncated);
            errors.add("image data is");
            bodies.add(HostileFiles.pngHeader(50_000, 50_000));
            errors.add("image is 50000x50000 = 2500000000 pixels, above the limit of 1000000");
            ExecutorService pool = Executors.newFixedThreadPool(bodies.size());
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Object>> results = new ArrayList<>();
                for (int i = 0; i < bodies.size(); i++) {
                    byte[] body = bodies.get(i);
                    String name = "body" + i;
                    results.add(pool.submit(() -> {
                        start.await();
                        try {
                            return batcher.classify(body, name, 2);
                        } catch (ImageLoadException e) {
                            return e;
                        }
                    }));
                }
                start.countDown();
                for (int i = 0; i < bodies.size(); i++) {
                    Object r = results.get(i).get();
                    if (errors.get(i) == null) {
                        Classification c = (Classification) r;
                        assertArrayEquals(want.get(i).logits(), c.logits(), "body " + i);
                        assertEquals(want.get(i).top(), c.top(), "body " + i);
                    } else {
                        ImageLoadException e = (ImageLoadException) r;
                        assertEquals("body" + i, e.getSource());
                        assertTrue(e.getReason().startsWith(errors.get(i)), e.getReason());
                        assertEquals(i == 7, e instanceof ImageTooLargeException, e.getReason());
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            PreprocessedImage wrongSize = new PreprocessedImage(new float[20 * 20], 1, 20, 20);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> batcher.classify(wrongSize, 1));
            assertEquals("image 1x20x20 (C x H x W) does not fit the model: needs C=1 and H, W multiples of"
                    + " patch size 16", e.getMessage());
            assertEquals("top-k 11 must be between 1 and the 10 classes",
                    assertThrows(IllegalArgumentException.class,
                            () -> batcher.classify(model.read(good.get(0), "x").value(), 11)).getMessage());
            // the batcher still works after the failures
            assertArrayEquals(want.get(1).logits(), batcher.classify(good.get(1), "again", 2).logits());
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndCloseRunsWhatIsQueued() throws Exception {
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            PreprocessedImage x = model.preprocess(Fixtures.pictures(1, 9).get(0));
            Classification alone = model.classifier().classify(List.of(x), 1).get(0);
            BatchingModel batcher = BatchingModel.builder().setModel(model)
                    .optMaxBatch(100).optMaxDelay(Duration.ofHours(1)).optQueueCapacity(2).build();
            CompletableFuture<Classification> a = batcher.classifyAsync(x, 1);
            CompletableFuture<Embedding> b = batcher.embedAsync(x, TokenKind.POOLED);
            QueueFullException full = assertThrows(QueueFullException.class, () -> batcher.classify(x, 1));
            assertEquals("the queue is full: 2 image(s) are waiting for a forward pass; try again later",
                    full.getMessage());
            Thread.sleep(100);
            assertFalse(a.isDone() || b.isDone(), "waiting for the delay or a full batch");
            assertTimeoutPreemptively(Duration.ofSeconds(60), batcher::close);
            assertArrayEquals(alone.logits(), a.get().logits());
            assertArrayEquals(alone.pooled(), b.get().values());
            assertEquals("this BatchingModel is closed",
                    assertThrows(IllegalStateException.class, () -> batcher.classify(x, 1)).getMessage());
            batcher.close(); // twice: nothing more
            assertEquals(2, batcher.images());
            assertEquals(2, batcher.passes()); // classify and pooled do not share a pass
        }
    }

    @Test
    void theBuilderNamesTheWrongSetting() throws Exception {
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            assertEquals("setModel is required",
                    assertThrows(IllegalArgumentException.class, () -> BatchingModel.builder().build()).getMessage());
            assertEquals("maxBatch must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                    () -> BatchingModel.builder().setModel(model).optMaxBatch(0).build()).getMessage());
            assertEquals("maxDelay must be zero or more, got PT-0.001S", assertThrows(IllegalArgumentException.class,
                    () -> BatchingModel.builder().setModel(model).optMaxDelay(Duration.ofMillis(-1)).build())
                    .getMessage());
            assertEquals("queueCapacity must be at least 1, got 0", assertThrows(IllegalArgumentException.class,
                    () -> BatchingModel.builder().setModel(model).optQueueCapacity(0).build()).getMessage());
        }
    }

    @Test
    void theLibraryPagesCodeRuns() throws Exception {
        String page = Files.readString(Path.of("docs/library.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(page);
        String block = null;
        while (m.find()) {
            block = m.group(1).contains("BatchingModel") ? m.group(1) : block;
        }
        assertTrue(block != null, "docs/library.md shows the batcher");
        String mine = Files.readString(Path.of("src/test/java/org/vit4j/infer/BatchingModelTest.java"));
        for (String line : block.lines().map(l -> l.replaceAll("\\s*//.*$", "").strip()).filter(l -> !l.isEmpty()).toList()) {
            assertTrue(mine.contains(line), "docs/library.md: " + line);
        }
        try (InferenceModel model = InferenceModel.bundled(Device.cpu());
             BatchingModel batcher = BatchingModel.builder().setModel(model)
                     .optMaxBatch(8).optMaxDelay(Duration.ofMillis(5)).optQueueCapacity(256).build()) {
            byte[] body = Files.readAllBytes(Path.of("sample-images/photo-coffee.jpg"));
            Classification c = batcher.classify(body, "photo-coffee.jpg", 3);
            Embedding e = batcher.embed(body, "photo-coffee.jpg", TokenKind.POOLED);
            assertEquals("Pullover", c.best().label());
            assertArrayEquals(c.pooled(), e.values(), 1e-5f);
        }
    }
}
