package org.vit4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.InferenceModel;

/**
 * An executor loads each model source once, as one {@link InferenceModel} that the classifier and
 * the embedder share, built with the source's engine and precision, and closes it once.
 */
class ExecutorModelsTest {

    @Test
    void oneModelPerSourceSharedByBothViewsAndClosedOnce() throws Exception {
        ModelSource source = new ModelSource(null, "cpu", 0);
        InferenceModel model = ExecutorModels.get(source);
        assertSame(model, ExecutorModels.get(new ModelSource("", "CPU", 0)));
        assertEquals(ForwardEngine.COMPILED, model.getForward().engine());
        PreprocessedImage image = model.preprocess(Path.of("sample-images/fashion-9-ankle-boot-test0.png"));
        assertEquals(model.classifier().classify(List.of(image), 1).get(0).pooled().length,
                model.encoder().pooled(List.of(image)).get(0).length);

        ModelSource eager = new ModelSource(null, "cpu", 0, ForwardEngine.EAGER, Precision.FP32);
        InferenceModel other = ExecutorModels.get(eager);
        assertNotSame(model, other);
        assertEquals(ForwardEngine.EAGER, other.getForward().engine());
        ExecutorModels.forget(eager);
        assertEquals("this InferenceModel is closed", assertThrows(IllegalStateException.class,
                () -> other.encoder().pooled(List.of(image))).getMessage());
        assertSame(model, ExecutorModels.get(source)); // forgetting one source leaves the others

        ModelSource refused = new ModelSource(null, "cpu", 0, ForwardEngine.EAGER, Precision.BF16);
        ModelUnavailableException e = assertThrows(ModelUnavailableException.class, () -> ExecutorModels.get(refused));
        assertTrue(e.getMessage().contains("precision bf16 needs the compiled forward"), e.getMessage());
    }
}
