package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.TestModels;
import org.vit4j.model.VitModel;

/**
 * No NDArray outlives its call: the model's manager holds as many arrays and sub-managers after
 * thousands of calls as after the warm-up, and results go only into the caller's manager.
 */
class NativeMemoryTest {

    private static final int CALLS = 2000;

    @TempDir
    Path tmp;

    @Test
    void liveArraysStayFlatOverManyPredictions() throws Exception {
        Path dir = Fixtures.savedModel(tmp.resolve("m"), 3);
        List<BufferedImage> pictures = Fixtures.pictures(6, 9);
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            VitClassifier clf = model.classifier();
            VitEncoder enc = model.encoder(true);
            NDManager root = model.getModel().getModel().getNDManager();
            PreprocessedImage px = model.preprocess(pictures.get(0));
            // The calls run on a worker thread, as in a service. (On a CPU shared with other
            // processes, PyTorch calls from the JVM's main thread were measured 50x slower.)
            ExecutorService worker = Executors.newSingleThreadExecutor();
            try {
                worker.submit(() -> calls(model, pictures, 0, 20)).get(); // warm-up: caches fill here
                long[] before = Fixtures.census(root);
                worker.submit(() -> calls(model, pictures, 20, CALLS)).get();
                assertArrayEquals(before, Fixtures.census(root), "model: [arrays, resources]");
            } finally {
                worker.shutdownNow();
            }
            long[] before = Fixtures.census(root);

            // the NDArray API puts its result, and nothing else, into the caller's manager
            try (NDManager mine = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray tokens = enc.compute(mine, List.of(px, px), TokenKind.EMBEDDED);
                assertEquals(new Shape(2, 18, 32), tokens.getShape());
                assertSame(mine, tokens.getManager());
                assertEquals(List.of(tokens), mine.getManagedArrays());

                NDArray images = mine.create(px.data(), new Shape(1, 1, 64, 64));
                NDArray again = enc.compute(images, TokenKind.ENCODED);
                assertSame(mine, again.getManager());
                assertSame(mine, images.getManager());
                assertEquals(3, mine.getManagedArrays().size()); // tokens, images, again
                assertArrayEquals(before, Fixtures.census(root));
            }
            assertArrayEquals(before, Fixtures.census(root));
        }
    }

    /** Mixed calls of both views: classify, pooled, patch embeddings, encoded tokens, classify a DJL image. */
    private static Void calls(InferenceModel model, List<BufferedImage> pictures, int from, int count)
            throws Exception {
        for (int i = from; i < from + count; i++) {
            BufferedImage p = pictures.get(i % pictures.size());
            switch (i % 5) {
                case 0 -> model.classifier().classify(p, 3);
                case 1 -> model.encoder().pooled(List.of(model.preprocess(p)));
                case 2 -> model.encoder(true).embedded(List.of(model.preprocess(p)));
                case 3 -> model.encoder().encoded(List.of(model.preprocess(p)));
                default -> model.classifier().classify(ImageFactory.getInstance().fromImage(p), 1);
            }
        }
        return null;
    }

    @Test
    void forwardOfTheModelItselfLeavesNothingInTheModelsManager() throws Exception {
        try (VitModel model = TestModels.create(Fixtures.MICRO, 1)) {
            NDManager root = model.getModel().getNDManager();
            try (NDManager m = model.newManager()) {
                model.forward(TestModels.images(m, 1, new Shape(2, 1, 64, 64)));
            }
            long[] before = Fixtures.census(root);
            for (int i = 0; i < 10; i++) {
                try (NDManager m = model.newManager()) {
                    model.forward(TestModels.images(m, i, new Shape(2, 1, 64, 64)));
                }
            }
            assertArrayEquals(before, Fixtures.census(root));
        }
    }
}
