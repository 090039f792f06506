package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/** {@link TrainRun#plan}: the new-run, --init and resume policy, decided before any training. */
class TrainRunTest {

    @TempDir
    Path tmp;

    private Path data() throws IOException {
        Path idx = tmp.resolve("idx");
        TinyFashion.write(idx, 40, 10);
        return idx;
    }

    @Test
    void aNewRunTakesTheVariantWithTheDatasClassesAndSmallDataDefaults() throws IOException {
        TrainRun run = TrainRun.plan(new TrainRun.Request().setRun(tmp.resolve("out"), false, false)
                .optData("fashion-mnist", data()).optArchitecture("micro", null, null, null, Pooling.CLS, null)
                .optSchedule(3, 8, 5e-6, null, null, null));
        assertEquals(10, run.config().architecture().numClasses());
        assertEquals(Pooling.CLS, run.config().architecture().pooling());
        assertEquals(4, run.options().valSize(), "a tenth of the 40 images");
        assertEquals(5e-6, run.options().minLr(), "the minimum follows a peak below the default minimum");
        assertEquals(36, run.trainImages().size());
    }

    @Test
    void initRefusesArchitectureSettingsAndResumeRefusesForce() throws IOException {
        Path model = tmp.resolve("model");
        ViTConfig cfg = Variant.fromName("micro").toTrainingBuilder().setNumClasses(10).build();
        try (VitModel m = VitModel.create(cfg, List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), Device.cpu(), 1)) {
            m.save(model);
        }
        IllegalArgumentException init = assertThrows(IllegalArgumentException.class, () -> TrainRun.plan(
                new TrainRun.Request().setRun(tmp.resolve("a"), false, false).optData("fashion-mnist", data())
                        .optInit(model).optArchitecture(null, "sincos2d-mae", null, null, null, null)));
        assertEquals("--init takes the architecture from " + model + "; drop --pos-emb", init.getMessage());
        IllegalArgumentException force = assertThrows(IllegalArgumentException.class,
                () -> TrainRun.plan(new TrainRun.Request().setRun(tmp.resolve("b"), true, true)));
        assertEquals("--resume continues a run and --force replaces it: choose one", force.getMessage());
        IOException missing = assertThrows(IOException.class, () -> TrainRun.plan(new TrainRun.Request()
                .setRun(tmp.resolve("c"), false, false).optData("fashion-mnist", data())
                .optInit(tmp.resolve("nothing"))));
        assertEquals("--init " + tmp.resolve("nothing") + ": " + tmp.resolve("nothing")
                + ": model directory does not exist", missing.getMessage());
    }

    @Test
    void aNonEmptyDirectoryIsRefusedWithAdviceThatFitsIt() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(out.resolve("notes.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainRun.plan(
                new TrainRun.Request().setRun(out, false, false).optData("fashion-mnist", data())));
        assertEquals("--out " + out + " is not empty (notes.txt): choose a new directory, or overwrite it with --force",
                e.getMessage());
    }
}
