package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.SizingPolicy;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;

/**
 * The facades take batches of files and pictures (one result per input, in order, whatever the
 * sizes), and say so when used after {@code close()}.
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
        Path[] files = new Path[pics.size()];
        for (int i = 0; i < files.length; i++) {
            files[i] = tmp.resolve("p" + i + ".png");
            ImageIO.write(pics.get(i), "png", files[i].toFile());
        }
        try (VitClassifier clf = new VitClassifier(TestModels.create(cfg, 4),
                ImageLoader.builder().optChannels(cfg.getChannels()).optMaxPixels(40 * 40).build())) {
            List<Classification> fromFiles = clf.classifyFiles(List.of(files), 3);
            List<Classification> fromPictures = clf.classifyImages(pics, 3);
            assertEquals(3, fromFiles.size());
            for (int i = 0; i < 3; i++) {
                Classification alone = clf.classify(files[i], 3);
                assertArrayEquals(alone.logits(), fromFiles.get(i).logits(), 1e-5f, "file " + i);
                assertArrayEquals(clf.classify(pics.get(i), 3).logits(), fromPictures.get(i).logits(), 1e-5f, "picture " + i);
            }
        }
        try (PatchEncoder enc = new PatchEncoder(TestModels.create(cfg, 4))) {
            float[][][] tokens = enc.encodeFiles(List.of(files));
            assertEquals(9, tokens[0].length); // 48x48 / 16 = 3x3 patches
            assertEquals(2, tokens[1].length); // 16x32 = 1x2
            assertArrayEquals(enc.encode(files[2])[4], tokens[2][4], 1e-5f);
            float[][][] fromPictures = enc.encodeImages(pics);
            assertArrayEquals(enc.encode(pics.get(1))[1], fromPictures[1][1], 1e-5f);
        }
    }

    @Test
    void aClosedFacadeSaysItIsClosed() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build();
        BufferedImage pic = picture(64, 64, 5);
        VitClassifier clf = new VitClassifier(TestModels.create(cfg, 1));
        clf.close();
        IllegalStateException c = assertThrows(IllegalStateException.class, () -> clf.classify(pic, 1));
        assertEquals("this VitClassifier is closed", c.getMessage());
        assertEquals("this VitClassifier is closed",
                assertThrows(IllegalStateException.class, () -> clf.embed(pic)).getMessage());
        PatchEncoder enc = new PatchEncoder(TestModels.create(cfg, 1));
        enc.close();
        assertEquals("this PatchEncoder is closed",
                assertThrows(IllegalStateException.class, () -> enc.encode(pic)).getMessage());
    }

    @Test
    void aLoaderOfOtherChannelsIsRefused() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().build(); // 1 channel
        try (var model = TestModels.create(cfg, 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new VitClassifier(model, ImageLoader.builder().optChannels(3).build()));
            assertEquals("loader gives 3 channel(s), the model reads 1", e.getMessage());
        }
    }
}
