package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every variant, cut to one block to stay fast, runs a forward pass of the documented shapes. */
class VariantSmokeTest {

    @ParameterizedTest
    @EnumSource(Variant.class)
    void forwardGivesFiniteLogitsAndPooledOfTheDocumentedShapes(Variant variant) throws IOException {
        ViTConfig config = variant.toBuilder().setDepth(1).build();
        Architecture a = config.architecture();
        int c = a.channels();
        int h = a.imageHeight();
        int w = a.imageWidth();
        try (VitModel model = VitModel.create(config, TestModels.labels(a.numClasses()),
                        ai.djl.Device.cpu(), 1);
                NDManager m = model.newManager()) {
            NDList out = model.forward(TestModels.images(m, 1, new Shape(2, c, h, w)));
            assertEquals(new Shape(2, a.numClasses()), out.get(0).getShape());
            assertEquals(new Shape(2, a.width()), out.get(1).getShape());
            float[] logits = out.get(0).toFloatArray();
            assertTrue(TestModels.allFinite(logits));
            assertTrue(TestModels.allFinite(out.get(1).toFloatArray()));
            // two different images give different logits
            float[] first = java.util.Arrays.copyOfRange(logits, 0, a.numClasses());
            float[] second = java.util.Arrays.copyOfRange(logits, a.numClasses(), logits.length);
            assertTrue(TestModels.maxAbsDiff(first, second) > 0);
        }
    }
}
