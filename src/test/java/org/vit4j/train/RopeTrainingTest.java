package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.patch.ShuffleGrid;

/**
 * Training with rotary position embeddings: RoPE-Mixed's frequencies are learned (they move from
 * their initial values, and are not weight-decayed), the saved model evaluates to the recorded
 * accuracy, and scrambled evaluation runs on it.
 */
class RopeTrainingTest {

    @TempDir
    Path tmp;

    @Test
    void ropeMixedLearnsItsFrequenciesAndEvaluatesScrambled() throws IOException {
        TinyFashion.write(tmp.resolve("data"), 64, 32);
        FashionMnist train = FashionMnist.load(tmp.resolve("data"), true);
        FashionMnist val = FashionMnist.load(tmp.resolve("data"), false);
        ViTConfig config = Variant.MICRO.toBuilder().optPosEmb("rope-mixed").optLayerScale(0.1).build();
        TrainOptions options = TrainOptions.builder().optEpochs(1).optBatchSize(16).optLr(3e-3).optWarmupEpochs(0)
                .optLabelSmoothing(0).optSeed(7).optValSize(0).optCropMinScale(0).optHflip(false).build();
        float[] before;
        try (VitModel fresh = VitModel.create(config, FashionMnist.LABELS, Device.cpu(), options.seed())) {
            before = fresh.getBlock().namedParameters().get("rope.freqs").getArray().toFloatArray();
        }
        Path out = tmp.resolve("run");
        TrainResult result = new VitTrainer(config, options, Device.cpu(), null).train(train, val, out);
        EvalResult last = result.validation();
        assertEquals(1, result.epochsRun());
        try (VitModel model = VitModel.load(result.modelDirectory(), Device.cpu())) {
            assertEquals(config, model.getConfig());
            float[] after = model.getBlock().namedParameters().get("rope.freqs").getArray().toFloatArray();
            double moved = 0;
            for (int i = 0; i < after.length; i++) {
                moved = Math.max(moved, Math.abs(after[i] - before[i]));
            }
            assertTrue(moved > 1e-4, "rope.freqs did not train: max change " + moved);
            assertTrue(moved < 0.1, "rope.freqs moved by " + moved + " in 4 steps of lr 3e-3");
            assertEquals(last.accuracy(), Evaluator.evaluate(model, val, 256, null, 0, null).accuracy(), 1e-5);
            EvalResult scrambled = Evaluator.evaluate(model, val, 256, new ShuffleGrid(2, 2), 0, null);
            assertEquals(32, scrambled.total());
            assertTrue(Double.isFinite(scrambled.loss()));
        }
        assertTrue(!AdamW.decays("rope.freqs", ai.djl.ndarray.NDManager.newBaseManager().zeros(
                new ai.djl.ndarray.types.Shape(2, 2, 2, 8))), "timm excludes rope.freqs from weight decay");
    }
}
