package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.TestModels;
import org.vit4j.model.VitModel;

/** {@link PatchEncoder} gives exactly {@code VisionTransformer.embed}, in every input form. */
class PatchEncoderTest {

    private static final int D = 32; // MICRO width
    private static final int PREFIX = 2; // class token + 1 register

    @TempDir
    static Path tmp;

    static Path dir;

    @BeforeAll
    static void save() throws Exception {
        dir = Fixtures.savedModel(tmp.resolve("m"), 8);
    }

    /** Two seeded normal images {@code (1, 64, 64)} and {@code embed}'s tokens for them, {@code (2, 18, 32)}. */
    private static float[] embedOf(List<PreprocessedImage> images) throws Exception {
        try (VitModel model = VitModel.load(dir, Device.cpu()); NDManager m = model.newManager()) {
            Batch b = Batch.of(images);
            NDArray x = m.create(b.data(), b.shape());
            return model.getBlock().embed(new ParameterStore(m, false), x, false).toFloatArray();
        }
    }

    private static List<PreprocessedImage> normalImages() {
        List<PreprocessedImage> out = new ArrayList<>();
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            float[] x = TestModels.images(m, 4, new Shape(2, 1, 64, 64)).toFloatArray();
            int per = 64 * 64;
            for (int i = 0; i < 2; i++) {
                float[] one = new float[per];
                System.arraycopy(x, i * per, one, 0, per);
                out.add(new PreprocessedImage(one, 1, 64, 64));
            }
        }
        return out;
    }

    private static float[] flatten(float[][][] t) {
        int n = t[0].length;
        int d = t[0][0].length;
        float[] out = new float[t.length * n * d];
        for (int b = 0; b < t.length; b++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(t[b][i], 0, out, (b * n + i) * d, d);
            }
        }
        return out;
    }

    /** Drops the first {@code PREFIX} tokens of each image of a flat {@code (B, T, D)}. */
    private static float[] withoutPrefix(float[] btd, int b, int t) {
        int n = t - PREFIX;
        float[] out = new float[b * n * D];
        for (int i = 0; i < b; i++) {
            System.arraycopy(btd, (i * t + PREFIX) * D, out, i * n * D, n * D);
        }
        return out;
    }

    @Test
    void tokensEqualEmbedWithAndWithoutThePrefix() throws Exception {
        List<PreprocessedImage> images = normalImages();
        float[] want = embedOf(images); // (2, 18, 32)
        assertEquals(2 * 18 * D, want.length);
        try (PatchEncoder with = PatchEncoder.builder().setModelDirectory(dir).optIncludePrefix(true)
                        .optEngine(ForwardEngine.EAGER).build();
                PatchEncoder without = PatchEncoder.builder().setModelDirectory(dir).optEngine(ForwardEngine.EAGER).build();
                PatchEncoder compiled = PatchEncoder.load(dir, Device.cpu(), true)) {
            assertEquals(ForwardEngine.COMPILED, compiled.getForward().engine());
            // the compiled program's tokens: the same numbers up to float32 rounding of other kernels
            assertEquals(0, TestModels.maxAbsDiff(want, flatten(compiled.encode(images))), 1e-5);
            float[][][] all = with.encode(images);
            assertEquals(18, all[0].length);
            assertEquals(D, all[0][0].length);
            assertArrayEquals(want, flatten(all));

            float[][][] patches = without.encode(images);
            assertEquals(16, patches[0].length);
            assertArrayEquals(withoutPrefix(want, 2, 18), flatten(patches));
            // the prefix really is there: the class token differs from every patch token
            assertTrue(TestModels.maxAbsDiff(all[0][0], all[0][PREFIX]) > 1e-3);

            // one image at a time gives the rows of the batch
            float[][] one = without.encode(images.get(1));
            for (int i = 0; i < one.length; i++) {
                assertEquals(0, TestModels.maxAbsDiff(patches[1][i], one[i]), 1e-5); // batch of 1 vs 2
            }
            assertEquals(18, with.tokenCount(64, 64));
            assertEquals(16, without.tokenCount(64, 64));
        }
    }

    @Test
    void floatArraysAndNDArraysAgree() throws Exception {
        List<PreprocessedImage> images = normalImages();
        try (PatchEncoder enc = PatchEncoder.load(dir, Device.cpu(), false);
                NDManager mine = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            float[] floats = flatten(enc.encode(images));
            NDArray tokens = enc.encode(mine, images);
            assertEquals(new Shape(2, 16, D), tokens.getShape());
            assertArrayEquals(floats, tokens.toFloatArray());

            Batch b = Batch.of(images);
            NDArray fromArray = enc.encode(mine.create(b.data(), b.shape()));
            assertEquals(new Shape(2, 16, D), fromArray.getShape());
            assertArrayEquals(floats, fromArray.toFloatArray());
        }
    }

    @Test
    void everyPictureFormGivesTheSameTokens() throws Exception {
        BufferedImage grey = Fixtures.grey(64, 64, 200);
        BufferedImage odd = Fixtures.pictures(4, 1).get(3); // 33x71 RGB, resized to 64x64
        try (PatchEncoder enc = PatchEncoder.load(dir, Device.cpu(), false)) {
            float[][] tokens = enc.encode(grey);
            assertEquals(16, tokens.length); // (64 / 16)² patches, no prefix
            assertEquals(D, tokens[0].length);
            assertEquals(enc.getWidth(), tokens[0].length);
            // a uniform picture: the patch embedding is the same everywhere, so tokens differ
            // only by their position embedding — which is not zero
            assertTrue(TestModels.maxAbsDiff(tokens[0], tokens[5]) > 1e-3);

            assertArrayEquals(tokens, enc.encode(enc.getPreprocessor().apply(grey)));
            assertArrayEquals(tokens, enc.encode(ImageFactory.getInstance().fromImage(grey)));
            float[][] o = enc.encode(odd);
            assertArrayEquals(o, enc.encode(Fixtures.foreignImage(odd)));
            assertArrayEquals(o, enc.encode(ImageFactory.getInstance().fromImage(odd)));

            Path png = tmp.resolve("grey.png");
            ImageIO.write(grey, "png", png.toFile());
            assertArrayEquals(tokens, enc.encode(png));
        }
    }

    @Test
    void badInputsAreRefusedWithTheNumbers() throws Exception {
        try (PatchEncoder enc = PatchEncoder.load(dir, Device.cpu(), false);
                NDManager mine = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            String channels = assertThrows(IllegalArgumentException.class,
                    () -> enc.encode(new PreprocessedImage(new float[3 * 64 * 64], 3, 64, 64))).getMessage();
            assertTrue(channels.contains("(B, 1, H, W)") && channels.contains("(1, 3, 64, 64)"), channels);

            String sizes = assertThrows(IllegalArgumentException.class, () -> enc.encode(List.of(
                    new PreprocessedImage(new float[64 * 64], 1, 64, 64),
                    new PreprocessedImage(new float[32 * 32], 1, 32, 32)))).getMessage();
            assertTrue(sizes.contains("1x64x64") && sizes.contains("1x32x32"), sizes);

            assertThrows(IllegalArgumentException.class, () -> enc.encode(mine, List.of()));
            assertEquals(0, enc.encode(List.of()).length);
            assertEquals(0, mine.getManagedArrays().size());
        }
    }
}
