package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.image.SizingPolicy;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * One {@link InferenceModel} serves both views; its views take batches of files and pictures (one
 * result or failure per input, in order, whatever the sizes), and say so when used after the
 * model's {@code close()}.
 */
class FacadeBatchesAndClosingTest {

    @TempDir Path tmp;

    private static BufferedImage picture(int h, int w, long seed) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    @Test
    void batchesOfFilesAndPicturesGiveEachImagesOwnResultInOrder() throws Exception {
        // pad policy: the 40x40 picture becomes 48x48, the 16x32 one stays: two forward passes
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).optSizing(SizingPolicy.PAD).build();
        List<BufferedImage> pics = List.of(picture(40, 40, 1), picture(16, 32, 2), picture(40, 40, 3));
        List<Outcome<Path>> files = new ArrayList<>();
        for (int i = 0; i < pics.size(); i++) {
            Path f = tmp.resolve("p" + i + ".png");
            ImageIO.write(pics.get(i), "png", f.toFile());
            files.add(Outcome.of("p" + i, f));
        }
        files.add(1, Outcome.failed("scan", "no such file or directory"));
        Path empty = Files.createFile(tmp.resolve("empty.png"));
        files.add(Outcome.of("empty", empty));
        try (InferenceModel model = InferenceModel.builder().setModel(TestModels.create(cfg, 4))
                .optLoader(ImageLoader.builder().optChannels(cfg.architecture().channels()).optMaxPixels(40 * 40)
                        .build()).build()) {
            List<Outcome<PreprocessedImage>> read = model.readAll(files);
            assertEquals(List.of("p0", "scan", "p1", "p2", "empty"), read.stream().map(Outcome::name).toList());
            assertEquals("no such file or directory", read.get(1).error());
            assertEquals("file is empty (0 bytes)", read.get(4).error());
            VitClassifier clf = model.classifier();
            List<Outcome<Classification>> fromFiles = Outcome.mapAll(read, images -> clf.classify(images, 3));
            List<Classification> fromPictures = clf.classify(pics.stream().map(p -> preprocess(model, p)).toList(), 3);
            assertEquals(5, fromFiles.size());
            assertEquals("no such file or directory", fromFiles.get(1).error());
            assertEquals("file is empty (0 bytes)", fromFiles.get(4).error());
            int[] row = {0, 2, 3};
            for (int i = 0; i < 3; i++) {
                Classification alone = clf.classify(files.get(row[i]).value(), 3);
                assertArrayEquals(alone.logits(), fromFiles.get(row[i]).value().logits(), 1e-5f, "file " + i);
                assertArrayEquals(clf.classify(pics.get(i), 3).logits(), fromPictures.get(i).logits(), 1e-5f, "picture " + i);
            }
            List<Outcome<float[][]>> tokens = Outcome.mapAll(read, images -> model.encoder().embedded(images));
            assertEquals(9, tokens.get(0).value().length); // 48x48 / 16 = 3x3 patches
            assertEquals(2, tokens.get(2).value().length); // 16x32 = 1x2
            assertArrayEquals(model.encoder().embedded(files.get(3).value())[4], tokens.get(3).value()[4], 1e-5f);
        }
    }

    private static PreprocessedImage preprocess(InferenceModel model, BufferedImage picture) {
        try {
            return model.preprocess(picture);
        } catch (ImageLoadException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneModelIsClosedOnceAndItsViewsSayItIsClosed() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build();
        BufferedImage pic = picture(64, 64, 5);
        VitModel weights = TestModels.create(cfg, 1);
        InferenceModel model = InferenceModel.builder().setModel(weights).build();
        VitClassifier clf = model.classifier();
        VitEncoder enc = model.encoder();
        assertEquals(1, clf.classify(pic, 1).top().size());
        model.close();
        model.close(); // a second close does nothing
        IllegalStateException c = assertThrows(IllegalStateException.class, () -> clf.classify(pic, 1));
        assertEquals("this InferenceModel is closed", c.getMessage());
        assertEquals("this InferenceModel is closed",
                assertThrows(IllegalStateException.class, () -> enc.pooled(List.of(model.preprocess(pic)))).getMessage());
        assertEquals("this InferenceModel is closed",
                assertThrows(IllegalStateException.class, () -> model.encoder(true).embedded(
                        List.of(model.preprocess(pic)))).getMessage());
    }

    @Test
    void aLoaderOfOtherChannelsIsRefusedAndTheModelClosed() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().build(); // 1 channel
        VitModel model = TestModels.create(cfg, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> InferenceModel.builder().setModel(model)
                        .optLoader(ImageLoader.builder().optChannels(3).build()).build());
        assertEquals("loader gives 3 channel(s), the model reads 1", e.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> InferenceModel.builder().setModel(TestModels.create(cfg, 2)).setModelDirectory(tmp).build());
        assertEquals("give exactly one of setModel, setModelDirectory, setModelFiles", twice.getMessage());
    }
}
