package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.io.WriteFailedException;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * Every command that writes a file, walked through the output rules with real files, symbolic
 * links, FIFOs and devices: an output that is an input is refused, an existing file is replaced
 * only with {@code --force}, a link is written through and kept, a FIFO or device is written as a
 * stream, and a missing or unwritable directory is refused before any work. Refusals point the
 * model at a directory that does not exist: a usage error (exit 2) rather than exit 3 shows that
 * the output was checked before the model was loaded.
 */
class OutputRulesTest {

    @TempDir static Path tmp;
    static Path modelDir;
    static String noModel;
    static Path img;

    /** A command that writes one file: its arguments for an output path and a model directory. */
    record Writer(String name, String option, Function<String[], String[]> args) {
        String[] with(String out, String model) {
            return args.apply(new String[] {out, model});
        }

        @Override
        public String toString() {
            return name + " " + option;
        }
    }

    @BeforeAll
    static void setUp() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < cfg.architecture().numClasses(); i++) {
            labels.add("class " + i);
        }
        modelDir = tmp.resolve("model");
        try (VitModel m = VitModel.create(cfg, labels, Device.cpu(), 7)) {
            m.save(modelDir);
        }
        noModel = tmp.resolve("no-such-model").toString();
        img = tmp.resolve("img.png");
        BufferedImage b = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(1);
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                b.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        ImageIO.write(b, "png", img.toFile());
    }

    static List<Writer> writers() {
        return List.of(
                new Writer("predict", "--out", a -> new String[] {"predict", "--quiet", "--format", "csv", "--model", a[1], "--out", a[0], img.toString()}),
                new Writer("embed", "--out", a -> new String[] {"embed", "--quiet", "--format", "jsonl", "--model", a[1], "--out", a[0], img.toString()}),
                new Writer("patches", "--out", a -> new String[] {"patches", "--model", a[1], "--out", a[0], img.toString()}),
                new Writer("posemb", "--out", a -> new String[] {"posemb", "--kind", "learned", "--model", a[1], "--out", a[0]}),
                new Writer("posemb", "--plot", a -> new String[] {"posemb", "--kind", "learned", "--model", a[1], "--plot", a[0]}));
    }

    static Stream<Arguments> everyWriter() {
        return writers().stream().map(w -> Arguments.of(w));
    }

    /** A name the command accepts ({@code --plot} and {@code patches} take only {@code *.png}). */
    private static Path name(Writer w, String base) {
        return tmp.resolve(base + (w.name().equals("patches") || w.option().equals("--plot") ? ".png" : ".out"));
    }

    private static CliRun refused(Writer w, String out, String reason) {
        CliRun r = run(w.with(out, noModel));
        assertEquals(ExitCodes.USAGE, r.code(), w + ": " + r.err());
        assertEquals("vit4j " + w.name() + ": " + w.option() + " " + out + ": " + reason, r.errorLine());
        assertTrue(r.err().contains("Try 'vit4j " + w.name() + " --help' for the options."), r.err());
        assertEquals("", r.out());
        return r;
    }

    private static CliRun ok(String... args) {
        CliRun r = run(args);
        assertEquals(ExitCodes.OK, r.code(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    private static String[] force(String[] args) {
        List<String> l = new ArrayList<>(List.of(args));
        l.add(1, "--force");
        return l.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void anExistingFileIsReplacedOnlyWithForce(Writer w) throws IOException {
        Path out = name(w, w.name() + w.option().substring(2) + "-existing");
        Files.writeString(out, "my work");
        refused(w, out.toString(), "exists; add --force to replace it");
        assertEquals("my work", Files.readString(out));
        ok(force(w.with(out.toString(), modelDir.toString())));
        assertFalse(Files.readString(out, java.nio.charset.StandardCharsets.ISO_8859_1).equals("my work"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void anInputIsNeverAnOutputWhateverItsSpelling(Writer w) throws IOException {
        // the image, or (posemb) the model's own weights; as given, as ./x, and through a link
        Path input = w.name().equals("posemb") ? modelDir.resolve("model.safetensors") : img;
        byte[] before = Files.readAllBytes(input);
        Path link = tmp.resolve("link-to-" + w.name() + w.option().substring(2) + ".png");
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, input);
        Path cwd = Path.of("").toAbsolutePath();
        List<String> spellings = new ArrayList<>(List.of(input.toString(), link.toString()));
        if (input.startsWith(cwd)) {
            spellings.add("./" + cwd.relativize(input));
        } else {
            spellings.add(input.getParent() + "/./" + input.getFileName());
        }
        for (String s : spellings) {
            if (w.option().equals("--plot") || w.name().equals("patches")) {
                if (!s.endsWith(".png")) {
                    continue; // a name these commands refuse for its extension alone
                }
            }
            CliRun r = run(force(w.with(s, w.name().equals("posemb") ? modelDir.toString() : noModel)));
            assertEquals(ExitCodes.USAGE, r.code(), s + ": " + r.err());
            assertEquals("vit4j " + w.name() + ": " + w.option() + " " + s + ": is also an input; write to another file",
                    r.errorLine());
        }
        assertArrayEquals(before, Files.readAllBytes(input));
        assertTrue(Files.isSymbolicLink(link));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void aLinkIsWrittenThroughAndKept(Writer w) throws IOException {
        String tag = w.name() + w.option().substring(2);
        Path target = name(w, tag + "-link-target");
        Files.writeString(target, "old");
        Path link = name(w, tag + "-link");
        Files.createSymbolicLink(link, target.getFileName()); // relative, as ln -s writes it
        refused(w, link.toString(), "links to " + target + ", which exists; add --force to replace it");
        ok(force(w.with(link.toString(), modelDir.toString())));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertFalse(Files.readString(target, java.nio.charset.StandardCharsets.ISO_8859_1).equals("old"), "its target was written");
        // a dangling link: its target is created, the link kept
        Path dangling = name(w, tag + "-dangling");
        Path missing = name(w, tag + "-created");
        Files.createSymbolicLink(dangling, missing);
        ok(w.with(dangling.toString(), modelDir.toString()));
        assertTrue(Files.isSymbolicLink(dangling));
        assertTrue(Files.size(missing) > 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void aFifoIsWrittenAsAStream(Writer w) throws Exception {
        String tag = w.name() + w.option().substring(2);
        Path regular = name(w, tag + "-regular");
        ok(w.with(regular.toString(), modelDir.toString()));
        Path fifo = name(w, tag + "-fifo");
        mkfifo(fifo);
        CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo); // opens the FIFO: the command's open returns
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ok(w.with(fifo.toString(), modelDir.toString()));
        byte[] read = reader.get(60, TimeUnit.SECONDS);
        assertTrue((int) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS) >> 12 == 1, "still a FIFO");
        assertArrayEquals(Files.readAllBytes(regular), read, "the reader got what a file gets");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void aDeviceIsWrittenInPlaceAndAFullOneIsAClearError(Writer w) throws IOException {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")) && Files.exists(Path.of("/dev/null")), "no /dev/full or /dev/null here");
        ok(w.with("/dev/null", modelDir.toString()));
        CliRun full = run(w.with("/dev/full", modelDir.toString()));
        assertEquals(ExitCodes.SOME_FAILED, full.code(), full.err());
        assertEquals("vit4j " + w.name() + ": cannot write /dev/full: no space left on device", full.errorLine());
        for (String dev : new String[] {"/dev/null", "/dev/full"}) {
            int mode = (int) Files.getAttribute(Path.of(dev), "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(2, mode >> 12, dev + " is still a character device");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyWriter")
    void aDirectoryThatCannotHoldTheFileIsRefusedBeforeAnyWork(Writer w) throws IOException {
        String file = name(w, "x").getFileName().toString();
        Path missing = tmp.resolve("no-such-dir");
        refused(w, missing.resolve(file).toString(), "directory " + missing + " does not exist");
        assertFalse(Files.exists(missing), "not created");
        refused(w, img.resolve(file).toString(), img + " is not a directory");
        Path dir = Files.createDirectories(name(w, "a-directory"));
        refused(w, dir.toString(), "is a directory; name a file");
        // root writes through permission bits: sysfs refuses new files even to root, an honest unwritable directory
        Path sys = Path.of("/sys");
        Assumptions.assumeTrue(cannotCreateIn(sys), "/sys accepts new files here; no unwritable directory to test with");
        refused(w, sys.resolve(file).toString(), "cannot write in /sys: permission denied");
    }

    @Test
    void posembsTwoOutputsMustBeTwoFiles() {
        Path png = tmp.resolve("same.png");
        CliRun r = run("posemb", "--kind", "sincos1d", "--grid", "2x2", "--dim", "4", "--out", png.toString(),
                "--plot", tmp.resolve(".").resolve("same.png").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j posemb: --out " + png + " and --plot " + tmp.resolve(".").resolve("same.png")
                + " name the same file; give two names", r.errorLine());
        assertFalse(Files.exists(png));
    }

    @Test
    void aShellGlobAsOutIsRefusedAndTheImagesKept() throws IOException {
        // ./vit4j embed --out g/*.jpg: the first match became --out, the rest inputs
        Path g = Files.createDirectories(tmp.resolve("g"));
        Path first = Files.copy(img, g.resolve("a.png"));
        Files.copy(img, g.resolve("b.png"));
        byte[] before = Files.readAllBytes(first);
        CliRun r = run("embed", "--model", noModel, "--out", first.toString(), g.resolve("b.png").toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j embed: --out " + first + ": exists; add --force to replace it", r.errorLine());
        assertArrayEquals(before, Files.readAllBytes(first));
        // and a directory input's images are inputs too, --force or not
        CliRun d = run("predict", "--force", "--model", noModel, "--out", first.toString(), g.toString());
        assertEquals("vit4j predict: --out " + first + ": is also an input; write to another file", d.errorLine());
        assertArrayEquals(before, Files.readAllBytes(first));
    }

    @Test
    void directoryOutputsFollowTheSameRules() throws IOException {
        Path missing = tmp.resolve("nowhere");
        Path data = Files.createDirectories(tmp.resolve("train-data").resolve("a"));
        ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY), "png", data.resolve("x.png").toFile());
        String[][] commands = {
            {"import", "--from", "torchvision", "--heads", "2", "src/test/resources/interop/tv.safetensors", "--out"},
            {"average", modelDir.toString(), "--out"},
            {"train", "--data", data.getParent().toString(), "--config", "micro", "--out"},
        };
        for (String[] c : commands) {
            String name = "vit4j " + c[0] + ": --out ";
            assertEquals(name + missing.resolve("m") + ": directory " + missing + " does not exist",
                    usage(c, missing.resolve("m").toString()));
            assertFalse(Files.exists(missing));
            assertEquals(name + img + ": exists and is not a directory", usage(c, img.toString()));
            assertEquals(name + img.resolve("m") + ": " + img + " is not a directory", usage(c, img.resolve("m").toString()));
            if (cannotCreateIn(Path.of("/sys"))) {
                assertEquals(name + "/sys/m: cannot write in /sys: permission denied", usage(c, "/sys/m"));
            }
        }
        assertEquals("vit4j average: --out " + modelDir + ": is also an input; write to another directory",
                usage(new String[] {"average", modelDir.toString(), "--force", "--out"}, modelDir.toString()));
        assertEquals("vit4j train: --out " + data.getParent() + ": is also an input; write to another directory",
                usage(new String[] {"train", "--data", data.getParent().toString(), "--force", "--out"}, data.getParent().toString()));
    }

    @Test
    void importAndAverageThatCannotWriteTheirFilesExitOne() throws IOException {
        // config.json taken by a non-empty directory: the rename over it fails after the work
        for (String command : new String[] {"import", "average"}) {
            Path out = Files.createDirectories(tmp.resolve(command + "-blocked").resolve(org.vit4j.model.ModelDirectory.CONFIG));
            Files.writeString(out.resolve("keep.txt"), "mine");
            String[] args = command.equals("import")
                    ? new String[] {"import", "--quiet", "--force", "--from", "torchvision", "--heads", "2",
                        "src/test/resources/interop/tv.safetensors", "--out", out.getParent().toString()}
                    : new String[] {"average", "--force", modelDir.toString(), "--out", out.getParent().toString()};
            CliRun r = run(args);
            assertEquals(ExitCodes.SOME_FAILED, r.code(), command + ": " + r.err());
            assertTrue(r.errorLine().startsWith("vit4j " + command + ": cannot write " + out + ": "), r.err());
            assertEquals("mine", Files.readString(out.resolve("keep.txt")));
        }
    }

    @Test
    void aWriteThatFailsAfterTheWorkIsExitOneNotABrokenModel() {
        assertEquals(ExitCodes.SOME_FAILED, ExitCodes.of(new WriteFailedException("m/config.json", "no space left on device", null)));
        assertEquals(ExitCodes.USAGE, ExitCodes.of(new org.vit4j.io.RefusedOutputException("x", "exists")));
        assertEquals(ExitCodes.MODEL, ExitCodes.of(new ModelLoadFailure("cannot load model: x", null)));
    }

    private static String usage(String[] command, String out) {
        List<String> args = new ArrayList<>(List.of(command));
        args.add(out);
        CliRun r = run(args.toArray(String[]::new));
        assertEquals(ExitCodes.USAGE, r.code(), args + ": " + r.err());
        assertTrue(r.err().contains("Try 'vit4j " + command[0] + " --help'"), r.err());
        return r.errorLine();
    }

    private static boolean cannotCreateIn(Path dir) {
        try {
            Files.delete(Files.createTempFile(dir, "probe", ".tmp"));
            return false;
        } catch (IOException e) {
            return Files.isDirectory(dir);
        }
    }

    static void mkfifo(Path p) throws IOException, InterruptedException {
        Process proc = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, proc.waitFor(), "mkfifo " + p);
    }
}
