package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.modality.cv.ImageFactory;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.TestModels;

/** The classifier's DJL-image and embedding entry points agree with the picture one. */
class VitClassifierTest {

    @TempDir
    Path tmp;

    @Test
    void djlImagesAndPooledVectorsMatchClassify() throws Exception {
        Path dir = Fixtures.savedModel(tmp.resolve("m"), 4);
        List<BufferedImage> pictures = Fixtures.pictures(3, 7);
        try (InferenceModel model = InferenceModel.load(dir, Device.cpu())) {
            VitClassifier clf = model.classifier();
            VitEncoder enc = model.encoder();
            for (BufferedImage p : pictures) {
                Classification want = clf.classify(p, 10);
                assertEquals(32, want.pooled().length);
                Classification djl = clf.classify(ImageFactory.getInstance().fromImage(p), 10);
                assertArrayEquals(want.logits(), djl.logits());
                assertEquals(want.top(), djl.top());
                if (p.getType() != BufferedImage.TYPE_BYTE_GRAY) {
                    // (a grey BufferedImage's getRGB applies a colour conversion; its raster is read directly)
                    assertArrayEquals(want.logits(), clf.classify(Fixtures.foreignImage(p), 10).logits());
                }

                assertArrayEquals(want.pooled(), enc.pooled(List.of(model.preprocess(p))).get(0));
                assertArrayEquals(want.pooled(),
                        enc.pooled(List.of(model.preprocess(ImageFactory.getInstance().fromImage(p)))).get(0));
            }
            PreprocessedImage a = model.preprocess(pictures.get(0));
            PreprocessedImage b = model.preprocess(pictures.get(1));
            List<float[]> both = enc.pooled(List.of(a, b));
            // a batch of two may round differently from a batch of one
            assertEquals(0, TestModels.maxAbsDiff(enc.pooled(List.of(b)).get(0), both.get(1)), 1e-5);
            assertEquals(0, enc.pooled(List.<PreprocessedImage>of()).size());
        }
    }
}
