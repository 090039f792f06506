package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;

/** Messages and exit codes a new user meets: versions, hints, config and label mistakes, empty inputs. */
class CliMessagesTest {

    @TempDir Path tmp;

    private static void usage(CliRun r, String message) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals(message, r.errorLine());
        String command = message.substring(0, message.indexOf(':'));
        assertTrue(r.err().contains("Try '" + command + " --help' for the options."), r.err());
        assertFalse(r.err().contains("\tat "), r.err());
    }

    @Test
    void everySubcommandPrintsTheVersion() {
        String version = run("--version").out();
        assertTrue(version.startsWith("vit4j "), version);
        for (String c : Vit4j.commandLine().getSubcommands().keySet()) {
            if (c.equals("help")) {
                continue;
            }
            for (String flag : new String[] {"--version", "-V"}) {
                CliRun r = run(c, flag);
                assertEquals(0, r.code(), c + " " + flag + ": " + r.err());
                assertEquals(version, r.out(), c + " " + flag);
            }
        }
    }

    @Test
    void topLevelHelpListsSparkAndSparkPointsAtTheLauncher() {
        CliRun help = run("--help");
        assertTrue(help.out().lines().anyMatch(l -> l.strip().startsWith("spark ")), help.out());
        usage(run("spark", "predict", "--input", "x"), "vit4j spark: the Spark job runs through the launcher: ./vit4j spark"
                + " predict --input x (or spark-submit --class org.vit4j.spark.cli.SparkJob target/vit4j-spark.jar)");
    }

    @Test
    void hugeCountsAreTooLargeNotTooSmall() {
        usage(run("predict", "--batch-size", "999999999999", "x.png"), "vit4j predict: --batch-size 999999999999: must be at most 2147483647");
        usage(run("predict", "--top-k", "99999999999999999999999", "x.png"),
                "vit4j predict: --top-k 99999999999999999999999: must be at most 2147483647");
        usage(run("predict", "--max-pixels", "99999999999999999999999", "x.png"),
                "vit4j predict: --max-pixels 99999999999999999999999: must be at most 9223372036854775807");
    }

    @Test
    void usageErrorsTheLibraryFindsAlsoPointAtHelp() throws IOException {
        usage(run("info", "--engine", "eager", "--precision", "bf16"),
                "vit4j info: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks");
        usage(run("train", "--config", "nope", "--data", "fashion-mnist", "--out", tmp.resolve("t").toString()),
                "vit4j train: --config nope: not a file, and not a variant; valid: tiny, small, base, fashion, fashion-small, micro");
        CliRun heads = run("import", "--from", "torchvision", "--heads", "5", "src/test/resources/interop/tv.safetensors",
                "--out", tmp.resolve("i").toString());
        assertEquals(ExitCodes.USAGE, heads.code(), heads.err());
        assertTrue(heads.err().contains("Try 'vit4j import --help' for the options."), heads.err());
    }

    @Test
    void wordsNoCommandTakesAreNamedInOneForm() {
        String commands = "the commands are predict, embed, eval, patches, posemb, attention, info, train, average, import, bench, spark, serve";
        for (String[] args : new String[][] {{"bogus"}, {"help", "bogus"}}) {
            CliRun r = run(args);
            assertEquals(ExitCodes.USAGE, r.code(), r.err());
            assertEquals("vit4j: bogus: unknown command; " + commands + "\nTry 'vit4j --help' for the options.\n", r.err());
        }
        usage(run("info", "extra-arg"), "vit4j info: extra-arg: unexpected argument; vit4j info takes options only");
        usage(run("patches", "--out", tmp.resolve("p.png").toString(), "src/test/resources/interop/tv.safetensors", "b.png"),
                "vit4j patches: b.png: unexpected argument; vit4j patches takes one IMAGE");
        usage(run("predict", "--nonsense", "x.png"), "vit4j predict: --nonsense: unknown option");
    }

    @Test
    void aFileGivenAsAModelDirectoryIsNamedAsNotADirectory() throws IOException {
        Path png = Files.write(tmp.resolve("empty.png"), new byte[0]);
        CliRun info = run("info", "--model", png.toString());
        assertEquals(ExitCodes.MODEL, info.code(), info.err());
        assertEquals("vit4j info: cannot load model: " + png + ": not a directory (a vit4j model is a directory of files)",
                info.errorLine());
        CliRun average = run("average", png.toString(), "--out", tmp.resolve("avg").toString());
        assertEquals(ExitCodes.MODEL, average.code(), average.err());
        assertEquals("vit4j average: " + png + ": not a directory (a vit4j model is a directory of files)", average.errorLine());
        CliRun missing = run("info", "--model", tmp.resolve("run1").toString());
        assertEquals("vit4j info: cannot load model: " + tmp.resolve("run1") + ": model directory does not exist", missing.errorLine());
    }

    @Test
    void importNamesTheSourceATorchvisionCheckpointLooksLike() {
        String tv = "src/test/resources/interop/tv.safetensors";
        CliRun timm = run("import", "--from", "timm", tv, "--out", tmp.resolve("t").toString());
        assertEquals(ExitCodes.MODEL, timm.code(), timm.err());
        assertEquals("vit4j import: " + tv + " (timm layout): 1 problem(s), nothing written; it looks like a torchvision"
                + " checkpoint (try --from torchvision):", timm.errorLine());
        CliRun hf = run("import", "--from", "hf", tv, "--out", tmp.resolve("h").toString());
        assertEquals(ExitCodes.MODEL, hf.code(), hf.err());
        assertEquals("vit4j import: " + tv + " (hf layout): 33 problem(s), nothing written; it looks like a torchvision"
                + " checkpoint (try --from torchvision):", hf.errorLine());
        assertTrue(hf.err().contains(hf.errorLine() + "\n"
                + "  unexpected class_token (1, 1, 32)\n"
                + "  unexpected conv_proj.weight (32, 3, 16, 16)\n"
                + "  unexpected conv_proj.bias (32)\n"
                + "  ... and 29 more unexpected tensors\n"
                + "  missing embeddings.patch_embeddings.projection.weight (D, C, P, P): cannot infer width, channels and patch size\n"),
                hf.err());
        assertEquals(5, hf.err().lines().filter(l -> l.startsWith("  ")).count(), hf.err());
        assertFalse(Files.exists(tmp.resolve("t")) || Files.exists(tmp.resolve("h")), "nothing written");
    }

    @Test
    void theLibraryAndTheCommandLineSayAMissingFileInTheSameWords() throws IOException {
        Path missing = tmp.resolve("missing.png");
        String library;
        try (org.vit4j.infer.InferenceModel m = org.vit4j.infer.InferenceModel.bundled(Device.cpu())) {
            library = m.readAll(List.of(org.vit4j.infer.Outcome.of(missing.toString(), missing))).get(0).error();
        }
        assertEquals(org.vit4j.io.IoErrors.NO_SUCH_FILE, library);
        CliRun r = run("predict", "--format", "json", missing.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        assertEquals(library, r.jsonLines().get(0).get("error").getAsString());
    }

    @Test
    void emptyStdinSaysNoPathsWereGiven() {
        InputStream old = System.in;
        try {
            System.setIn(new ByteArrayInputStream(new byte[0]));
            CliRun r = run("predict", "-");
            usage(r, "vit4j predict: PATH -: no paths on standard input");
            assertEquals("", r.out(), "no header without results");
        } finally {
            System.setIn(old);
        }
    }

    @Test
    void importShowsNoParserInternalsAndRefusesDuplicateLabels() throws IOException {
        Path notJson = Files.writeString(tmp.resolve("notjson.txt"), "this is { not json");
        CliRun r = run("import", "--from", "timm", "src/test/resources/interop/tv.safetensors", "--config", notJson.toString(),
                "--out", tmp.resolve("m").toString());
        assertEquals(ExitCodes.MODEL, r.code(), r.err());
        assertTrue(r.errorLine().startsWith("vit4j import: " + notJson + ": not valid JSON (syntax error at line 1 column "), r.err());
        for (String internal : new String[] {"Exception", "Strictness", "LENIENT", "http"}) {
            assertFalse(r.err().contains(internal), r.err());
        }
        Path dup = Files.writeString(tmp.resolve("labels.txt"), "cat\ndog\n\ncat\n");
        usage(run("import", "--from", "torchvision", "--heads", "2", "src/test/resources/interop/tv.safetensors", "--labels", dup.toString(),
                "--out", tmp.resolve("m").toString()),
                "vit4j import: --labels " + dup + ": label 'cat' appears twice (lines 1 and 4); each class needs its own name");
        assertEquals(List.of("cat", "dog"), ModelDirectory.parseLabels("cat\n dog \n\n"));
    }

    @Test
    void configFieldsThisFormatDoesNotHaveAreRefusedByName() throws IOException {
        String good = Variant.MICRO.toBuilder().build().toJson();
        String misspelled = good.replace("\"layerNormEps\"", "\"layer_norm_eps\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson(misspelled));
        assertEquals("config field 'layer_norm_eps' is not a field of the vit4j config format (did you mean 'layerNormEps'?)",
                e.getMessage());
        String extra = good.replace("\"sizing\"", "\"colour\": 1, \"sizing\"");
        e = assertThrows(IllegalArgumentException.class, () -> ViTConfig.fromJson(extra));
        assertEquals("config field 'preprocess.colour' is not a field of the vit4j config format", e.getMessage());
        // every config.json of a vit4j model in the repository still loads
        List<Path> configs = new ArrayList<>();
        try (Stream<Path> s = Stream.of("src", "notebooks", "models").map(Path::of).filter(Files::isDirectory)
                .flatMap(d -> {
                    try {
                        return Files.walk(d);
                    } catch (IOException ex) {
                        throw new java.io.UncheckedIOException(ex);
                    }
                })) {
            s.filter(p -> p.getFileName().toString().equals(ModelDirectory.CONFIG)).forEach(configs::add);
        }
        int models = 0;
        for (Path c : configs) {
            String text = Files.readString(c);
            if (text.contains("\"format\": \"" + ViTConfig.FORMAT + "\"")) {
                ViTConfig.fromJson(text);
                models++;
            }
        }
        assertTrue(models >= 2, "the bundled model and the experiment's: " + configs);
    }

    @Test
    void posembNamesTheRotaryKindOfARopeModel() throws IOException {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).optPosEmb(PositionEmbeddingKind.ROPE_DINOV3).build();
        Path dir = tmp.resolve("rope");
        try (VitModel m = VitModel.create(cfg, labels(cfg.architecture().numClasses()), Device.cpu(), 1)) {
            m.save(dir);
        }
        CliRun r = run("posemb", "--kind", "learned", "--model", dir.toString());
        assertEquals(ExitCodes.MODEL, r.code(), r.err());
        assertEquals("vit4j posemb: the model's position embedding is 'rope-dinov3', not a learned table", r.errorLine());
    }

    @Test
    void aFolderOfOneClassIsNoClassifierData() throws IOException {
        Path data = Files.createDirectories(tmp.resolve("one").resolve("cats"));
        for (int i = 0; i < 4; i++) {
            ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", data.resolve(i + ".png").toFile());
        }
        usage(run("train", "--config", "micro", "--data", data.getParent().toString(), "--out", tmp.resolve("run").toString()),
                "vit4j train: --data " + data.getParent() + ": one class (cats); a classifier learns to tell at least two apart:"
                        + " add a folder per class");
        assertFalse(Files.exists(tmp.resolve("run")));
    }

    private static List<String> labels(int n) {
        List<String> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            l.add("c" + i);
        }
        return l;
    }
}
