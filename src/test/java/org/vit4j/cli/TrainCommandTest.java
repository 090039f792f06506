package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.Named;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.Variant;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.position.SinCosLayout;

/** {@code vit4j train} as a user runs it: small data, existing directories, resuming, divergence. */
class TrainCommandTest {

    @TempDir
    Path tmp;

    private Path data;

    @BeforeEach
    void folder() throws IOException {
        data = tmp.resolve("folder");
        Random r = new Random(2);
        for (int c = 0; c < 2; c++) {
            Path d = Files.createDirectories(data.resolve(c == 0 ? "dark" : "light"));
            for (int i = 0; i < 12; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        img.getRaster().setSample(x, y, 0, c == 0 ? r.nextInt(80) : 175 + r.nextInt(80));
                    }
                }
                ImageIO.write(img, "png", d.resolve("i" + i + ".png").toFile());
            }
        }
    }

    private CliRun train(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--quiet", "--config", "micro", "--batch-size", "8"));
        args.addAll(List.of(more));
        return CliRun.run(args.toArray(String[]::new));
    }

    @Test
    void theDefaultsFitASmallDataSet() throws IOException {
        // 24 images, 1 epoch: the default warm-up (2 epochs) and hold-out (5000) shrink to a tenth
        Path out = tmp.resolve("small");
        CliRun r = train("--data", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        String record = Files.readString(out.resolve("train.json"));
        assertTrue(record.contains("\"warmupEpochs\": 0.1"), record);
        assertTrue(record.contains("\"valSize\": 2"), record);
        assertTrue(record.contains("\"source\": \"" + data + "\""), record);
        assertTrue(record.contains("\"train_sha256\""), record);
        assertTrue(record.contains("\"libtorch\": \"2.7.1\""), record);
    }

    @Test
    void helpShowsEveryDefault() {
        CliRun r = CliRun.run("train", "--help");
        assertEquals(0, r.code());
        String help = r.out().replaceAll("\\s+", " "); // unwrapped
        for (String d : List.of("--epochs", "(default: 20)", "--batch-size", "(default: 128)", "(default: 0.001)",
                "(default: 1.0E-5)", "(default: 0.05)", "(default: 2.0, at most a tenth of --epochs)",
                "(default: 0.1)", "(default: 42)", "(default: 5000, at most a tenth of the data)")) {
            assertTrue(help.contains(d), d + " in\n" + r.out());
        }
    }

    @Test
    void helpListsTheLibrarysNamesInDeclarationOrder() {
        String train = CliRun.run("train", "--help").out().replaceAll("\\s+", " ");
        String posemb = CliRun.run("posemb", "--help").out().replaceAll("\\s+", " ");
        String variants = String.join(", ", names(Variant.values()));
        String kinds = String.join(", ", names(PositionEmbeddingKind.values()));
        assertTrue(train.contains("A variant (" + variants + "; "), train);
        assertTrue(train.contains("--pos-emb=KIND " + kinds + ", or a rotary"), train);
        assertTrue(train.contains("Pooling: " + String.join(", ", names(Pooling.values())) + " ("), train);
        assertTrue(train.contains("Sin-cos layout: " + String.join(", ", names(SinCosLayout.values())) + " ("), train);
        assertTrue(posemb.contains("--kind=KIND " + kinds + "."), posemb);
    }

    private static List<String> names(Named... values) {
        return java.util.Arrays.stream(values).map(Named::cliName).toList();
    }

    @Test
    void anExistingRunIsNeverOverwrittenSilently() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, train("--data", data.toString(), "--epochs", "2", "--out", out.toString()).code());
        String metrics = Files.readString(out.resolve("metrics.jsonl"));
        CliRun again = train("--data", data.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(ExitCodes.USAGE, again.code());
        assertTrue(again.err().startsWith("vit4j train: --out " + out + " is not empty ("), again.err());
        assertTrue(again.err().contains("it holds a training run: continue it with --resume, or overwrite it with --force"),
                again.err());
        assertEquals(metrics, Files.readString(out.resolve("metrics.jsonl")), "nothing was touched");
        CliRun forced = train("--data", data.toString(), "--epochs", "1", "--out", out.toString(), "--force");
        assertEquals(0, forced.code(), forced.err());
        assertEquals(1, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    @Test
    void resumeNeedsOnlyTheDirectory() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, train("--data", data.toString(), "--epochs", "1", "--seed", "5", "--out", out.toString()).code());
        CliRun done = CliRun.run("train", "--resume", out.toString());
        assertEquals(0, done.code(), done.err());
        assertTrue(done.err().contains(out + ": all 1 epochs are done; nothing to do"), done.err());
        CliRun more = CliRun.run("train", "--quiet", "--resume", out.toString(), "--epochs", "2");
        assertEquals(0, more.code(), more.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
        CliRun other = CliRun.run("train", "--resume", out.toString(), "--epochs", "3", "--lr", "0.5");
        assertEquals(ExitCodes.USAGE, other.code());
        assertTrue(other.err().contains("vit4j train: --resume " + out + ": the run was started with other options"
                + " (lr: 0.001 vs 0.5, as run vs as asked)"), other.err());
        CliRun otherModel = CliRun.run("train", "--resume", out.toString(), "--pos-emb", "none");
        assertEquals(ExitCodes.USAGE, otherModel.code());
        assertTrue(otherModel.err().contains("--pos-emb asks for another model than the run's"), otherModel.err());
        CliRun nothing = CliRun.run("train", "--resume", tmp.resolve("nowhere").toString());
        assertEquals(ExitCodes.USAGE, nothing.code());
        assertEquals("vit4j train: --resume " + tmp.resolve("nowhere") + ": no checkpoint to resume from (not a training run)\n"
                + "Try 'vit4j train --help' for the options.\n", nothing.err());
    }

    @Test
    void positionScalingIsSavedWithTheModelAndIsPartOfIt() throws IOException {
        Path out = tmp.resolve("interpolating");
        CliRun r = train("--data", data.toString(), "--epochs", "1", "--pos-emb", "rope-axial",
                "--position-scaling", "interpolate", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(PositionScaling.INTERPOLATE, ModelDirectory.readConfig(out).architecture().positionScaling());
        CliRun other = CliRun.run("train", "--resume", out.toString(), "--epochs", "2", "--position-scaling", "extrapolate");
        assertEquals(ExitCodes.USAGE, other.code(), other.err());
        assertTrue(other.err().contains("--position-scaling asks for another model than the run's"), other.err());
        CliRun init = CliRun.run("train", "--quiet", "--data", data.toString(), "--epochs", "1", "--init", out.toString(),
                "--position-scaling", "extrapolate", "--out", tmp.resolve("fine-tuned").toString());
        assertEquals(ExitCodes.USAGE, init.code(), init.err());
        assertTrue(init.err().contains("--init takes the architecture from " + out + "; drop --position-scaling"), init.err());
        CliRun bad = train("--data", data.toString(), "--position-scaling", "stretch", "--out", tmp.resolve("bad").toString());
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        assertTrue(bad.err().contains("--position-scaling") && bad.err().contains("extrapolate, interpolate"), bad.err());
        Path plain = tmp.resolve("plain");
        assertEquals(0, train("--data", data.toString(), "--epochs", "1", "--pos-emb", "rope-axial",
                "--out", plain.toString()).code());
        assertEquals(PositionScaling.EXTRAPOLATE, ModelDirectory.readConfig(plain).architecture().positionScaling());
    }

    @Test
    void resumeFindsFashionMnistInTheRecordedDataDir() throws IOException {
        Path idx = tmp.resolve("idx");
        org.vit4j.train.TinyFashion.write(idx, 40, 10);
        Path out = tmp.resolve("fm");
        CliRun first = train("--data", "fashion-mnist", "--data-dir", idx.toString(), "--epochs", "1", "--out", out.toString());
        assertEquals(0, first.code(), first.err());
        assertTrue(Files.readString(out.resolve("train.json")).contains("\"data_dir\": \"" + idx + "\""));
        CliRun more = CliRun.run("train", "--quiet", "--resume", out.toString(), "--epochs", "2");
        assertEquals(0, more.code(), more.err());
        assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    @Test
    void engineAndPrecisionAreRecordedResolvedAndKeptOnResume() throws IOException {
        Path out = tmp.resolve("auto");
        CliRun r = CliRun.run("train", "--config", "micro", "--batch-size", "8", "--data", data.toString(),
                "--epochs", "1", "--precision", "auto", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        org.vit4j.compiled.Precision.Choice auto = org.vit4j.compiled.Precision.AUTO.resolve(
                ai.djl.Device.cpu(), org.vit4j.compiled.CpuFeatures.current());
        assertTrue(r.err().contains("train: engine compiled, precision " + auto + "\n"), r.err());
        String record = Files.readString(out.resolve("train.json"));
        assertTrue(record.contains("\"engine\": \"COMPILED\""), record);
        assertTrue(record.contains("\"precision\": \"" + auto.precision().name() + "\""), record);
        // fp32 with it: where auto chose bf16 (a CPU with avx512_bf16 or AMX), eager + bf16 would be refused first
        CliRun eager = CliRun.run("train", "--resume", out.toString(), "--epochs", "2", "--engine", "eager",
                "--precision", "fp32");
        assertEquals(ExitCodes.USAGE, eager.code());
        assertTrue(eager.err().contains("engine: \"COMPILED\" vs \"EAGER\""), eager.err());
        CliRun bf16Eager = train("--data", data.toString(), "--engine", "eager", "--precision", "bf16",
                "--out", tmp.resolve("x").toString());
        assertEquals(ExitCodes.USAGE, bf16Eager.code());
        assertTrue(bf16Eager.err().startsWith("vit4j train: --precision bf16: needs the compiled forward; --engine eager runs"
                + " the eager blocks"), bf16Eager.err());
        CliRun bad = train("--data", data.toString(), "--engine", "jit", "--out", tmp.resolve("y").toString());
        assertEquals(ExitCodes.USAGE, bad.code());
        assertTrue(bad.err().contains("compiled") && bad.err().contains("eager"), bad.err());
    }

    @Test
    void aDivergingRunExitsOneAndSavesNoModel() {
        Path out = tmp.resolve("wild");
        CliRun r = train("--data", data.toString(), "--epochs", "2", "--lr", "1e30", "--min-lr", "0", "--clip-grad", "0",
                "--warmup", "0", "--out", out.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        assertTrue(r.err().startsWith("vit4j train: training diverged in epoch 1 at step "), r.err());
        assertFalse(Files.exists(out.resolve(ModelDirectory.WEIGHTS)));
    }

    @Test
    void badNumbersAreRefusedBeforeAnyDataIsRead() {
        Path missing = tmp.resolve("no-such-data");
        for (String[] bad : new String[][] {
                {"--epochs", "0", "--epochs 0: must be at least 1"},
                {"--batch-size", "-1", "--batch-size -1: must be at least 1"},
                {"--warmup", "30", "--warmup 30: must be at most the number of epochs, 20"},
                {"--label-smoothing", "1", "--label-smoothing 1: must be at least 0 and below 1"}}) {
            CliRun r = CliRun.run("train", "--data", missing.toString(), bad[0], bad[1], "--out", tmp.resolve("x").toString());
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("vit4j train: " + bad[2] + "\nTry 'vit4j train --help' for the options.\n", r.err());
        }
        CliRun noOut = CliRun.run("train", "--data", data.toString());
        assertEquals(ExitCodes.USAGE, noOut.code());
        assertEquals("vit4j train: missing --out DIR\nTry 'vit4j train --help' for the options.\n", noOut.err());
    }
}
