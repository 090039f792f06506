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

/**
 * {@link VitEncoder} gives exactly the model's three outputs — patch embeddings ({@code
 * VisionTransformer.embed}), encoded tokens ({@code forwardEncoded}) and the pooled vector — in
 * every input form, on both engines.
 */
class VitEncoderTest {

    private static final int D = 32; // MICRO width
    private static final int PREFIX = 2; // class token + 1 register

    @TempDir
    static Path tmp;

    static Path dir;

    @BeforeAll
    static void save() throws Exception {
        dir = Fixtures.savedModel(tmp.resolve("m"), 8);
    }

    /** The eager block's tokens before ({@code embed}) or after ({@code forwardEncoded}) the encoder, {@code (B, 18, 32)}. */
    private static float[] eagerTokens(List<PreprocessedImage> images, TokenKind kind) throws Exception {
        try (VitModel model = VitModel.load(dir, Device.cpu()); NDManager m = model.newManager()) {
            Batch b = Batch.of(images);
            NDArray x = m.create(b.data(), b.shape());
            ParameterStore ps = new ParameterStore(m, false);
            return (kind == TokenKind.ENCODED ? model.getBlock().forwardEncoded(ps, x, false)
                    : model.getBlock().embed(ps, x, false)).toFloatArray();
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

    private static float[] flatten(List<float[][]> t) {
        int n = t.get(0).length;
        int d = t.get(0)[0].length;
        float[] out = new float[t.size() * n * d];
        for (int b = 0; b < t.size(); b++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(t.get(b)[i], 0, out, (b * n + i) * d, d);
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
    void embeddedAndEncodedTokensEqualTheBlockWithAndWithoutThePrefix() throws Exception {
        List<PreprocessedImage> images = normalImages();
        try (InferenceModel eager = InferenceModel.builder().setModelDirectory(dir).optEngine(ForwardEngine.EAGER).build();
                InferenceModel compiled = InferenceModel.load(dir, Device.cpu())) {
            assertEquals(ForwardEngine.COMPILED, compiled.getForward().engine());
            for (TokenKind kind : List.of(TokenKind.EMBEDDED, TokenKind.ENCODED)) {
                float[] want = eagerTokens(images, kind); // (2, 18, 32)
                assertEquals(2 * 18 * D, want.length);
                VitEncoder with = eager.encoder(true);
                VitEncoder without = eager.encoder();
                List<float[][]> all = kind == TokenKind.ENCODED ? with.encoded(images) : with.embedded(images);
                assertEquals(18, all.get(0).length, kind.cliName());
                assertEquals(D, all.get(0)[0].length);
                assertArrayEquals(want, flatten(all), kind.cliName());
                List<float[][]> patches = kind == TokenKind.ENCODED
                        ? without.encoded(images) : without.embedded(images);
                assertEquals(16, patches.get(0).length);
                assertArrayEquals(withoutPrefix(want, 2, 18), flatten(patches), kind.cliName());
                // the prefix really is there: the class token differs from every patch token
                assertTrue(TestModels.maxAbsDiff(all.get(0)[0], all.get(0)[PREFIX]) > 1e-3);
                // the compiled program: the same numbers up to float32 rounding of other kernels
                List<float[][]> c = compiled.encoder(true).embed(images, kind).stream().map(Embedding::rows).toList();
                assertEquals(0, TestModels.maxAbsDiff(want, flatten(c)), 1e-5, kind.cliName());
            }
            assertEquals(18, eager.encoder(true).tokenCount(64, 64));
            assertEquals(16, eager.encoder().tokenCount(64, 64));
        }
    }

    @Test
    void oneModelServesBothViewsAndThePooledVectorIsTheClassifiers() throws Exception {
        List<PreprocessedImage> images = normalImages();
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            List<Classification> cls = model.classifier().classify(images, 1);
            List<float[]> pooled = model.encoder().pooled(images);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(cls.get(i).pooled(), pooled.get(i), 1e-6f);
            }
            Embedding e = model.encoder(true).embed(images, TokenKind.POOLED).get(1);
            assertArrayEquals(new long[] {D}, e.shape());
            assertArrayEquals(pooled.get(1), e.values());
            // one image at a time gives the rows of the batch
            float[][] one = model.encoder().encoded(List.of(images.get(1))).get(0);
            float[][] both = model.encoder().encoded(images).get(1);
            for (int i = 0; i < one.length; i++) {
                assertEquals(0, TestModels.maxAbsDiff(both[i], one[i]), 1e-5); // batch of 1 vs 2
            }
        }
    }

    @Test
    void floatArraysAndNDArraysAgree() throws Exception {
        List<PreprocessedImage> images = normalImages();
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu());
                NDManager mine = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            VitEncoder enc = model.encoder();
            for (TokenKind kind : TokenKind.values()) {
                float[] floats = flatten(enc.embed(images, kind).stream().map(Embedding::rows).toList());
                Shape shape = kind.isTokens() ? new Shape(2, 16, D) : new Shape(2, D);
                NDArray tokens = enc.compute(mine, images, kind);
                assertEquals(shape, tokens.getShape());
                assertArrayEquals(floats, tokens.toFloatArray(), kind.cliName());

                Batch b = Batch.of(images);
                NDArray fromArray = enc.compute(mine.create(b.data(), b.shape()), kind);
                assertEquals(shape, fromArray.getShape());
                assertArrayEquals(floats, fromArray.toFloatArray(), kind.cliName());
            }
        }
    }

    @Test
    void everyPictureFormGivesTheSameTokens() throws Exception {
        BufferedImage grey = Fixtures.grey(64, 64, 200);
        BufferedImage odd = Fixtures.pictures(4, 1).get(3); // 33x71 RGB, resized to 64x64
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            VitEncoder enc = model.encoder();
            float[][] tokens = enc.embedded(List.of(model.preprocess(grey))).get(0);
            assertEquals(16, tokens.length); // (64 / 16)² patches, no prefix
            assertEquals(D, tokens[0].length);
            assertEquals(enc.getWidth(), tokens[0].length);
            // a uniform picture: the patch embedding is the same everywhere, so tokens differ
            // only by their position embedding — which is not zero
            assertTrue(TestModels.maxAbsDiff(tokens[0], tokens[5]) > 1e-3);

            assertArrayEquals(tokens, enc.embedded(List.of(model.preprocess(
                    ImageFactory.getInstance().fromImage(grey)))).get(0));
            float[][] o = enc.embedded(List.of(model.preprocess(odd))).get(0);
            assertArrayEquals(o, enc.embedded(List.of(model.preprocess(Fixtures.foreignImage(odd)))).get(0));

            Path png = tmp.resolve("grey.png");
            ImageIO.write(grey, "png", png.toFile());
            assertArrayEquals(tokens, enc.embedded(png));
            assertArrayEquals(enc.encoded(List.of(model.preprocess(grey))).get(0), enc.encoded(png));
            assertArrayEquals(enc.pooled(List.of(model.preprocess(grey))).get(0), enc.pooled(png));
        }
    }

    @Test
    void mixedSizesComeBackInInputOrderAndBadInputsAreRefusedWithTheNumbers() throws Exception {
        PreprocessedImage big = normalImages().get(0); // 64x64
        PreprocessedImage small = new PreprocessedImage(java.util.Arrays.copyOf(big.data(), 32 * 32), 1, 32, 32);
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu());
                NDManager mine = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            VitEncoder enc = model.encoder();
            List<float[][]> mixed = enc.encoded(List.of(big, small, big));
            assertEquals(List.of(16, 4, 16), mixed.stream().map(t -> t.length).toList());
            assertArrayEquals(enc.encoded(List.of(small)).get(0)[3], mixed.get(1)[3], 1e-5f);
            assertArrayEquals(enc.encoded(List.of(big)).get(0)[7], mixed.get(2)[7], 1e-5f);

            String channels = assertThrows(IllegalArgumentException.class,
                    () -> enc.encoded(List.of(new PreprocessedImage(new float[3 * 64 * 64], 3, 64, 64)))).getMessage();
            assertTrue(channels.contains("(B, 1, H, W)") && channels.contains("(1, 3, 64, 64)"), channels);

            String sizes = assertThrows(IllegalArgumentException.class,
                    () -> enc.compute(mine, List.of(big, small), TokenKind.ENCODED)).getMessage();
            assertTrue(sizes.contains("1x64x64") && sizes.contains("1x32x32"), sizes);
            assertThrows(IllegalArgumentException.class, () -> enc.compute(mine, List.of(), TokenKind.POOLED));
            assertEquals(0, enc.embedded(List.of()).size());
            assertEquals(0, mine.getManagedArrays().size());
        }
    }
}
