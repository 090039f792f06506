package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.train.RunDirectory;
import org.vit4j.train.TinyFashion;
import org.vit4j.train.TrainingProvenance;

/** A model trained by {@code vit4j train} carries how it was trained, and {@code vit4j info} shows it. */
class TrainingProvenanceCliTest {

    @TempDir
    Path tmp;

    @Test
    void infoShowsHowATrainedModelWasTrainedAndTheModelCarriesItAway() throws IOException {
        Path idx = tmp.resolve("idx");
        TinyFashion.write(idx, 40, 10);
        Path out = tmp.resolve("run");
        CliRun r = CliRun.run("train", "--quiet", "--config", "micro", "--batch-size", "8", "--data", "fashion-mnist",
                "--data-dir", idx.toString(), "--epochs", "2", "--lr", "0.002", "--no-flip", "--out", out.toString());
        assertEquals(0, r.code(), r.err());

        TrainingProvenance saved = TrainingProvenance.read(ModelFiles.of(out));
        assertEquals(2, saved.epochs());
        assertTrue(saved.epoch() >= 1 && saved.epoch() <= 2, saved.toJson());
        assertEquals("fashion-mnist:train (40 images) minus 4 for validation (36 trained on)", saved.data());
        assertEquals(0.002, saved.recipe().lr());
        assertEquals("crop >= 0.8", saved.recipe().augmentation());
        assertEquals(CpuFeatures.current().describe(), saved.cpu());
        assertEquals(saved, TrainingProvenance.fromJson(saved.toJson()));

        // the model directory alone (no train.json, metrics or checkpoints) still says how it was made
        Path copy = Files.createDirectories(tmp.resolve("copy"));
        try (var files = Files.list(out)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!f.getFileName().toString().equals(RunDirectory.TRAIN_JSON)
                        && !f.getFileName().toString().equals(RunDirectory.METRICS)) {
                    Files.copy(f, copy.resolve(f.getFileName()));
                }
            }
        }
        CliRun info = CliRun.run("info", "--model", copy.toString());
        assertEquals(0, info.code(), info.err());
        String o = info.out();
        assertTrue(o.contains("trained:      epoch " + saved.epoch() + " of 2 epochs"), o);
        assertTrue(o.contains("  data:       fashion-mnist:train (40 images) minus 4 for validation (36 trained on)\n"), o);
        assertTrue(o.contains("  recipe:     AdamW lr 0.002, 0.2 epoch(s) warm-up then cosine to 1e-05, weight decay 0.05,"
                + " batch 8, label smoothing 0.1, clip 1; augmentation crop >= 0.8; compiled fp32, seed 42"), o);
        assertTrue(o.contains("  cpu:        " + CpuFeatures.current().describe() + " (device cpu()"), o);
        assertTrue(o.contains("  date:       " + saved.date()), o);
    }

    @Test
    void aModelSavedWithoutProvenanceLoadsAndInfoSaysSo() throws IOException {
        Path dir = tmp.resolve("plain");
        ViTConfig cfg = Variant.fromName("micro").toTrainingBuilder().setNumClasses(2).build();
        try (VitModel m = VitModel.create(cfg, List.of("a", "b"), Device.cpu(), 1)) {
            m.save(dir);
        }
        assertFalse(Files.exists(dir.resolve(TrainingProvenance.FILE)));
        assertNull(TrainingProvenance.read(ModelFiles.of(dir)));
        CliRun info = CliRun.run("info", "--model", dir.toString());
        assertEquals(0, info.code(), info.err());
        assertTrue(info.out().contains("trained:      not recorded (not trained by vit4j train, or saved before it"
                + " recorded how)\n"), info.out());
    }

    @Test
    void theBundledModelsRecordIsReadFromItsTrainJsonAndPointsToItsPage() {
        CliRun info = CliRun.run("info");
        assertEquals(0, info.code(), info.err());
        String o = info.out();
        assertTrue(o.contains("trained:      epoch 11 of 12 epochs, validation accuracy 93.26%"
                + " (the bundled model: see docs/bundled-model.md)\n"), o);
        assertTrue(o.contains("  data:       not recorded\n"), o);
        assertTrue(o.contains("  recipe:     AdamW lr 0.0001, 0.5 epoch(s) warm-up then cosine to 1e-06, weight decay"
                + " 0.05, batch 128, label smoothing 0.1, clip 1; augmentation flip; eager fp32, seed 42;"
                + " from runs/fashion-vit-s3b\n"), o);
    }
}
