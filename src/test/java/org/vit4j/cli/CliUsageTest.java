package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Walks every subcommand's bad-option paths: each must exit 2 with exactly one line {@code vit4j
 * CMD: MESSAGE} (the message checked word for word), a hint to {@code --help}, nothing on stdout,
 * and no stack trace. Wherever a command takes {@code --model}, it points at a directory that does
 * not exist: a usage error instead of exit 3 shows that the option was checked before any model was
 * loaded.
 */
class CliUsageTest {

    @TempDir static Path tmp;
    static String noModel;
    static String image;
    static String fullDir;
    static String mapFile;

    @BeforeAll
    static void setUp() throws Exception {
        noModel = tmp.resolve("no-such-model").toString();
        image = Files.writeString(tmp.resolve("a.png"), "not decoded: the options fail first").toString();
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("config.json"), "{}");
        fullDir = full.toString();
        mapFile = Files.writeString(tmp.resolve("map.txt"), "boot=Ankle boot\n").toString();
    }

    static Stream<Arguments> badOptions() {
        List<Arguments> c = new ArrayList<>();
        // predict
        c.add(bad("predict: --batch-size 0: must be at least 1", "predict", "--model", noModel, "--batch-size", "0", image));
        c.add(bad("predict: --batch-size -1: must be at least 1", "predict", "--model", noModel, "--batch-size", "-1", image));
        c.add(bad("predict: --batch-size x: not an integer", "predict", "--model", noModel, "--batch-size", "x", image));
        c.add(bad("predict: --top-k 0: must be at least 1", "predict", "--model", noModel, "--top-k", "0", image));
        c.add(bad("predict: --format xml: valid: table, json, csv", "predict", "--model", noModel, "--format", "xml", image));
        c.add(bad("predict: --scramble-grid 3x: not of the form RxC, e.g. 4x4", "predict", "--model", noModel, "--scramble", "--scramble-grid", "3x", image));
        c.add(bad("predict: --scramble-grid 0x2: sides must be positive integers (form RxC, e.g. 4x4)", "predict", "--model", noModel,
                "--scramble", "--scramble-grid", "0x2", image));
        c.add(bad("predict: --scramble-grid needs --scramble", "predict", "--model", noModel, "--scramble-grid", "2x2", image));
        c.add(bad("predict: --device tpu: valid: cpu, gpu, auto", "predict", "--model", noModel, "--device", "tpu", image));
        c.add(bad("predict: --threads 0: must be at least 1", "predict", "--model", noModel, "--threads", "0", image));
        c.add(bad("predict: --max-pixels 0: must be at least 1", "predict", "--model", noModel, "--max-pixels", "0", image));
        c.add(bad("predict: --tensor " + tmp.resolve("missing.npy") + ": no such file", "predict", "--model", noModel,
                "--tensor", tmp.resolve("missing.npy").toString()));
        c.add(bad("predict: give image PATHs or --tensor FILE.npy (one of the two)", "predict", "--model", noModel));
        c.add(bad("predict: -0 reads NUL-separated paths from stdin: give - among the PATHs", "predict", "--model", noModel, "-0", image));
        c.add(bad("predict: --out " + tmp + ": is a directory; name a file", "predict", "--model", noModel, "--out", tmp.toString(), image));
        c.add(bad("predict: --nonsense: unknown option", "predict", "--nonsense", image));
        c.add(bad("predict: --seed needs --scramble", "predict", "--model", noModel, "--seed", "5", image));
        c.add(bad("predict: --seed x: not an integer", "predict", "--model", noModel, "--scramble", "--seed", "x", image));
        c.add(bad("predict: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks", "predict",
                "--model", noModel, "--engine", "eager", "--precision", "bf16", image));
        // --batch-parts, in every command that has it
        for (String[] cmd : new String[][] {{"predict", image}, {"embed", image}, {"eval", "--data", "fashion-mnist"},
            {"bench"}}) {
            for (String v : new String[] {"0", "-2", "two"}) {
                List<String> args = new ArrayList<>(List.of(cmd[0], "--model", noModel, "--batch-parts", v));
                args.addAll(List.of(cmd).subList(1, cmd.length));
                c.add(bad(cmd[0] + ": --batch-parts " + v + ": must be a positive number of parts or auto",
                        args.toArray(String[]::new)));
            }
        }
        // eval
        c.add(bad("eval: Missing required option: '--data=fashion-mnist[:test|:train][:N]|DIR'", "eval", "--model", noModel));
        c.add(bad("eval: --data fashion-mnist:val: expected fashion-mnist, fashion-mnist:train, fashion-mnist:test (each optionally"
                + " with :N, its first N images, N >= 1) or a directory",
                "eval", "--model", noModel, "--data", "fashion-mnist:val"));
        for (String subset : new String[] {"fashion-mnist:test:0", "fashion-mnist:test:5:6", "fashion-mnist:-3", "fashion-mnist:test:"}) {
            c.add(bad("eval: --data " + subset + ": expected fashion-mnist, fashion-mnist:train, fashion-mnist:test (each optionally"
                    + " with :N, its first N images, N >= 1) or a directory", "eval", "--model", noModel, "--data", subset));
        }
        c.add(bad("eval: --data " + tmp.resolve("nodata") + ": no such directory", "eval", "--model", noModel, "--data", tmp.resolve("nodata").toString()));
        c.add(bad("eval: --data " + image + ": not a directory (an image folder has one sub-folder per class)", "eval", "--model", noModel, "--data", image));
        c.add(bad("eval: --batch-size 0: must be at least 1", "eval", "--model", noModel, "--data", "fashion-mnist", "--batch-size", "0"));
        c.add(bad("eval: --scramble-grid 3x3x3: not of the form RxC, e.g. 4x4", "eval", "--model", noModel, "--data", "fashion-mnist",
                "--scramble-grid", "2x2,3x3x3"));
        c.add(bad("eval: --format csv: valid: table, json", "eval", "--model", noModel, "--data", "fashion-mnist", "--format", "csv"));
        c.add(bad("eval: --label-map " + tmp.resolve("nomap") + ": no such file", "eval", "--model", noModel, "--data", tmp.toString(),
                "--label-map", tmp.resolve("nomap").toString()));
        c.add(bad("eval: --label-map is for image folders; Fashion-MNIST has the bundled model's labels", "eval", "--model", noModel,
                "--data", "fashion-mnist", "--label-map", mapFile));
        c.add(bad("eval: --device tpu: valid: cpu, gpu, auto", "eval", "--model", noModel, "--data", "fashion-mnist", "--device", "tpu"));
        // patches
        c.add(bad("patches: IMAGE " + tmp.resolve("missing.png") + ": no such file", "patches", tmp.resolve("missing.png").toString(),
                "--out", tmp.resolve("p.png").toString()));
        c.add(bad("patches: --out p.jpg: pictures are written as PNG; name the file *.png", "patches", image, "--out", "p.jpg"));
        c.add(bad("patches: Missing required option: '--out=FILE.png'", "patches", image));
        c.add(bad("patches: give either --model, or both --patch and --image-size", "patches", image, "--patch", "16", "--out", "p.png"));
        c.add(bad("patches: give either --model, or both --patch and --image-size", "patches", image, "--model", noModel, "--patch", "16",
                "--image-size", "32", "--out", "p.png"));
        c.add(bad("patches: --image-size 100000: sides must be at most 65536 pixels", "patches", image, "--patch", "16", "--image-size", "100000",
                "--out", "p.png"));
        c.add(bad("patches: --image-size 60000x60000: 3600000000 pixels, above the limit of 89478485 (--max-pixels)", "patches", image,
                "--patch", "16", "--image-size", "60000x60000", "--out", "p.png"));
        c.add(bad("patches: --image-size 100x100: not a multiple of --patch 16", "patches", image, "--patch", "16", "--image-size", "100",
                "--out", "p.png"));
        c.add(bad("patches: --patch 0: must be at least 1", "patches", image, "--patch", "0", "--image-size", "32", "--out", "p.png"));
        c.add(bad("patches: --scramble-grid needs --scramble", "patches", image, "--model", noModel, "--scramble-grid", "2x2", "--out", "p.png"));
        // posemb
        c.add(bad("posemb: --kind foo: valid: none, learned, sincos1d, sincos2d-mae, sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3", "posemb", "--kind", "foo"));
        c.add(bad("posemb: --kind sincos1d needs --grid RxC and --dim D", "posemb", "--kind", "sincos1d", "--dim", "4"));
        c.add(bad("posemb: --grid 100000x100000: with dim 96 the table has 960000000000 values, more than the 268435456 written at most",
                "posemb", "--kind", "sincos2d-mae", "--grid", "100000x100000", "--dim", "96"));
        c.add(bad("posemb: --dim 0: must be at least 1", "posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "0"));
        c.add(bad("posemb: --layout diagonal: valid: split, interleaved", "posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "4",
                "--layout", "diagonal"));
        c.add(bad("posemb: --format npy needs --out FILE.npy", "posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "4", "--format", "npy"));
        c.add(bad("posemb: --format txt: valid: csv, npy", "posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "4", "--format", "txt"));
        c.add(bad("posemb: --plot pe.jpg: pictures are written as PNG; name the file *.png", "posemb", "--kind", "sincos1d", "--grid", "2x2",
                "--dim", "4", "--plot", "pe.jpg"));
        c.add(bad("posemb: learned tables come from a model: use --model, not --grid/--dim", "posemb", "--kind", "learned", "--model", noModel,
                "--grid", "2x2"));
        c.add(bad("posemb: --model is for --kind learned or a rotary kind; --kind sincos1d is computed from --grid and --dim", "posemb", "--kind", "sincos1d",
                "--model", noModel, "--grid", "2x2", "--dim", "4"));
        // info
        c.add(bad("info: --device tpu: valid: cpu, gpu, auto", "info", "--model", noModel, "--device", "tpu"));
        c.add(bad("info: --threads -2: must be at least 1", "info", "--model", noModel, "--threads", "-2"));
        c.add(bad("info: extra: unexpected argument; vit4j info takes options only", "info", "extra"));
        c.add(bad("info: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks", "info",
                "--model", noModel, "--engine", "eager", "--precision", "bf16"));
        // train (the options it shares with every command)
        c.add(bad("train: --device tpu: valid: cpu, gpu, auto", "train", "--data", "fashion-mnist", "--out", tmp.resolve("t").toString(), "--device", "tpu"));
        c.add(bad("train: --threads 0: must be at least 1", "train", "--data", "fashion-mnist", "--out", tmp.resolve("t").toString(), "--threads", "0"));
        // train: every number in the form of the others, the value as typed, before any data is read
        for (String[] t : new String[][] {
            {"--lr", "-1", "must be a number above 0"},
            {"--lr", "0", "must be a number above 0"},
            {"--lr", "abc", "not a number"},
            {"--min-lr", "-1", "must be a number of at least 0"},
            {"--min-lr", "0.1", "must be at most the peak learning rate, 0.001"},
            {"--weight-decay", "-1", "must be a number of at least 0"},
            {"--weight-decay", "Infinity", "must be a finite number"},
            {"--warmup", "30", "must be at most the number of epochs, 20"},
            {"--warmup", "-1", "must be a number of at least 0"},
            {"--label-smoothing", "1", "must be at least 0 and below 1"},
            {"--clip-grad", "-1", "must be a number of at least 0 (0: off)"},
            {"--val-size", "-1", "must be at least 0"},
            {"--crop-min-scale", "2", "must be a number from 0 to 1 (0: off)"},
            {"--scramble-prob", "2", "must be a number from 0 to 1"},
            {"--random-erase", "2", "must be a number from 0 to 1"},
            {"--drop-path", "1", "must be at least 0 and below 1"},
            {"--scramble-grid", "3x", "not of the form RxC, e.g. 4x4"},
            {"--layout", "diagonal", "valid: split, interleaved"},
            {"--pooling", "max", "valid: cls, avg"},
            {"--seed", "x", "not an integer"},
            {"--pos-emb", "sincos3d", "unknown position embedding 'sincos3d'; valid: none, learned, sincos1d, sincos2d-mae,"
                    + " sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3"}}) {
            c.add(bad("train: " + t[0] + " " + t[1] + ": " + t[2], "train", "--data", tmp.resolve("nodata").toString(), "--out",
                    tmp.resolve("t").toString(), t[0], t[1]));
        }
        c.add(bad("train: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks", "train",
                "--data", tmp.resolve("nodata").toString(), "--out", tmp.resolve("t").toString(), "--engine", "eager",
                "--precision", "bf16"));
        // average
        c.add(bad("average: --out " + fullDir + ": is also an input; write to another directory", "average", fullDir, noModel, "--out", fullDir));
        c.add(bad("average: --out " + fullDir + ": exists and is not empty; choose a new directory, or add --force to overwrite", "average",
                noModel, "--out", fullDir));
        c.add(bad("average: --out " + image + ": exists and is not a directory", "average", noModel, "--out", image));
        c.add(bad("average: Missing required parameter: 'MODEL_DIR'", "average", "--out", tmp.resolve("avg").toString()));
        // import
        String w = tmp.resolve("w.safetensors").toString();
        c.add(bad("import: --from keras: valid: timm, hf, torchvision", "import", "--from", "keras", image, "--out", tmp.resolve("i").toString()));
        c.add(bad("import: WEIGHTS.safetensors " + w + ": no such file", "import", "--from", "timm", w, "--out", tmp.resolve("i").toString()));
        c.add(bad("import: --heads 0: must be at least 1", "import", "--from", "timm", image, "--heads", "0", "--out", tmp.resolve("i").toString()));
        c.add(bad("import: --num-classes -3: must be at least 1", "import", "--from", "timm", image, "--num-classes", "-3", "--out",
                tmp.resolve("i").toString()));
        c.add(bad("import: --image-size 0: sides must be positive integers (form S or HxW, e.g. 224 or 224x320)", "import", "--from", "timm", image,
                "--image-size", "0", "--out", tmp.resolve("i").toString()));
        c.add(bad("import: --pos-resample lanczos: valid: timm, hf", "import", "--from", "timm", image, "--pos-resample", "lanczos", "--out",
                tmp.resolve("i").toString()));
        c.add(bad("import: --out " + fullDir + ": exists and is not empty; choose a new directory, or add --force to overwrite", "import",
                "--from", "timm", image, "--out", fullDir));
        c.add(bad("import: --out " + image + ": is also an input; write to another directory", "import", "--from", "timm", image, "--out", image));
        // bench
        c.add(bad("bench: --batch-size 0: must be at least 1", "bench", "--model", noModel, "--batch-size", "0"));
        c.add(bad("bench: --seconds 0: must be a number above 0", "bench", "--model", noModel, "--seconds", "0"));
        c.add(bad("bench: --seconds soon: not a number", "bench", "--model", noModel, "--seconds", "soon"));
        c.add(bad("bench: --soak 10: needs at least 1000 predictions (RSS is sampled every 1000)", "bench", "--model", noModel, "--soak", "10"));
        c.add(bad("bench: --variant huge: valid: tiny, small, base, fashion, fashion-small, micro", "bench", "--variant", "huge"));
        c.add(bad("bench: --format csv: valid: table, json", "bench", "--model", noModel, "--format", "csv"));
        c.add(bad("bench: --pos-emb sincos3d: unknown position embedding 'sincos3d'; valid: none, learned, sincos1d, "
                + "sincos2d-mae, sincos2d-bigvision, rope-axial, rope-mixed, rope-dinov3",
                "bench", "--variant", "micro", "--pos-emb", "sincos3d"));
        c.add(bad("bench: --pos-emb rope-axial+rope-mixed: position embedding 'rope-axial+rope-mixed' names two rotary kinds",
                "bench", "--variant", "micro", "--pos-emb", "rope-axial+rope-mixed"));
        c.add(bad("bench: --pos-emb sets the position embedding of a --variant model; --model " + noModel
                + " has its own: drop --pos-emb", "bench", "--model", noModel, "--pos-emb", "learned"));
        c.add(bad("bench: --train " + tmp.resolve("nodata") + ": no such directory", "bench", "--train", tmp.resolve("nodata").toString()));
        c.add(bad("bench: --image-size 2x: not of the form S or HxW, e.g. 224 or 224x320", "bench", "--model", noModel, "--image-size", "2x"));
        c.add(bad("bench: --image-size 100x100: not a multiple of the model's patch size 16", "bench", "--variant", "micro",
                "--image-size", "100"));
        c.add(bad("bench: --soak-images " + tmp.resolve("sample-images") + ": no such directory", "bench", "--model", noModel,
                "--soak", "1000", "--soak-images", tmp.resolve("sample-images").toString()));
        c.add(bad("bench: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks", "bench",
                "--model", noModel, "--engine", "eager", "--precision", "bf16"));
        // embed
        c.add(bad("embed: --format xml: valid: npy, jsonl", "embed", "--model", noModel, "--format", "xml", "--out", "e.npy", image));
        c.add(bad("embed: --tokens all: valid: embedded, encoded, pooled", "embed", "--model", noModel, "--tokens", "all",
                "--out", "e.npy", image));
        c.add(bad("embed: --batch-size 0: must be at least 1", "embed", "--model", noModel, "--batch-size", "0", "--out", "e.npy", image));
        // patches and eval: a seed without scrambling is refused as a grid without it is
        c.add(bad("patches: --seed needs --scramble", "patches", image, "--model", noModel, "--seed", "3", "--out", "p.png"));
        c.add(bad("eval: --seed needs --scramble-grid", "eval", "--model", noModel, "--data", "fashion-mnist", "--seed", "3"));
        // posemb: a width the kind cannot have
        c.add(bad("posemb: --dim 6: rotary embeddings need a head width divisible by 4", "posemb", "--kind", "rope-axial",
                "--grid", "2x2", "--dim", "6"));
        c.add(bad("posemb: --dim 6: sincos2d-mae needs a positive multiple of 4 (sin x | cos x | sin y | cos y)", "posemb",
                "--kind", "sincos2d-mae", "--grid", "2x2", "--dim", "6"));
        c.add(bad("posemb: --dim 7: sincos1d needs an even width of at least 2 (half sin, half cos)", "posemb",
                "--kind", "sincos1d", "--grid", "2x2", "--dim", "7"));
        // import: options the checkpoint contradicts
        String tv = "src/test/resources/interop/tv.safetensors";
        c.add(bad("import: --heads 3: does not divide the checkpoint's width 32", "import", "--from", "torchvision", "--heads", "3", tv,
                "--out", tmp.resolve("i").toString()));
        c.add(bad("import: --image-size 33: not a multiple of the checkpoint's patch size 16", "import", "--from", "torchvision",
                "--heads", "2", "--image-size", "33", tv, "--out", tmp.resolve("i").toString()));
        c.add(bad("import: --labels " + mapFile + ": 1 labels for a checkpoint with 5 classes", "import", "--from", "torchvision",
                "--heads", "2", "--labels", mapFile, tv, "--out", tmp.resolve("i").toString()));
        return c.stream();
    }

    private static Arguments bad(String message, String... args) {
        return Arguments.of(String.join(" ", args), args, "vit4j " + message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badOptions")
    void isAUsageErrorFoundBeforeAnyWork(String name, String[] args, String message) {
        CliRun r = run(args);
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("", r.out(), "nothing on stdout");
        assertEquals(message, r.errorLine());
        String command = "vit4j " + args[0];
        assertTrue(r.err().contains("Try '" + command + " --help' for the options."), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        assertFalse(Files.exists(Path.of("p.png")) || Files.exists(Path.of("pe.png")) || Files.exists(Path.of("e.npy"))
                || Files.exists(tmp.resolve("i")) || Files.exists(tmp.resolve("avg")) || Files.exists(tmp.resolve("t")),
                "nothing written: " + Arrays.toString(args));
    }
}
