package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.awt.image.BufferedImage;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/**
 * {@code vit4j bench}'s outputs: the {@code --profile} trace goes through the output rules every
 * other file does, checked before any model is loaded (a refusal with a model directory that does
 * not exist is exit 2, not 3); its JSON is JSON (a soak too short to measure growth says so with
 * {@code null} and a reason, never {@code NaN}); its inputs are checked before the model is loaded.
 */
class BenchOutputsTest {

    @TempDir static Path tmp;
    static Path modelDir;
    static Path images;
    static String noModel;

    @BeforeAll
    static void setUp() throws Exception {
        ViTConfig cfg = Variant.MICRO.toBuilder().optPooling(Pooling.AVG).build();
        modelDir = tmp.resolve("model");
        try (VitModel m = VitModel.create(cfg, TestModels.labels(cfg.architecture().numClasses()), Device.cpu(), 3)) {
            m.save(modelDir);
        }
        noModel = tmp.resolve("no-such-model").toString();
        images = Files.createDirectories(tmp.resolve("images"));
        Random r = new Random(2);
        for (int i = 0; i < 2; i++) {
            BufferedImage b = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 20; y++) {
                for (int x = 0; x < 20; x++) {
                    b.getRaster().setSample(x, y, 0, r.nextInt(256));
                }
            }
            ImageIO.write(b, "png", images.resolve("img" + i + ".png").toFile());
        }
    }

    /** bench says int8 where it runs: the precision and every layer's route, in the table and the JSON. */
    @Test
    void int8IsNamedInTheOutput() {
        CliRun t = run("bench", "--model", modelDir.toString(), "--precision", "int8", "--seconds", "0.2");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("int8 (int8 requested)"), t.out());
        CliRun j = run("bench", "--model", modelDir.toString(), "--precision", "int8", "--seconds", "0.2", "--format", "json");
        assertEquals(0, j.code(), j.err());
        JsonObject o = strictJson(j.out().strip());
        assertEquals("int8", o.get("precision").getAsString(), o.toString());
        assertEquals("int8 requested", o.get("precision_reason").getAsString(), o.toString());
        String linear = o.get("linear_kernels").getAsString();
        assertTrue(linear.matches("int8, (\\d+) of \\1 layers, at \\d+ rows: .*"), linear);
        assertTrue(linear.replaceAll("\\d+x\\d+ int8(-rows)? \\(\\d+ layers?\\)(, )?", "").endsWith("rows: "), linear);
    }

    /** A usage error: exactly this line, the hint, nothing on stdout. */
    private static void usage(CliRun r, String message) {
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j bench: " + message, r.errorLine());
        assertTrue(r.err().contains("Try 'vit4j bench --help' for the options."), r.err());
        assertEquals("", r.out());
    }

    /** Parses one line as strict JSON, as a parser other than Gson's lenient default would: NaN is refused. */
    static JsonObject strictJson(String line) {
        JsonReader reader = new JsonReader(new StringReader(line));
        reader.setStrictness(Strictness.STRICT);
        JsonElement e = JsonParser.parseReader(reader);
        assertFalse(line.contains("NaN") || line.contains("Infinity"), line);
        return e.getAsJsonObject();
    }

    @Test
    void theTraceIsAnOutputCheckedBeforeAnyWork() throws Exception {
        // an existing file (here an image) is never replaced without --force
        Path existing = Files.copy(images.resolve("img0.png"), tmp.resolve("in.png"));
        byte[] before = Files.readAllBytes(existing);
        usage(run("bench", "--model", noModel, "--profile", existing.toString()),
                "--profile " + existing + ": exists; add --force to replace it");
        assertArrayEquals(before, Files.readAllBytes(existing));
        // a missing directory is refused and not created
        Path missing = tmp.resolve("nonexistent");
        usage(run("bench", "--model", noModel, "--profile", missing.resolve("x.json").toString()),
                "--profile " + missing.resolve("x.json") + ": directory " + missing + " does not exist");
        assertFalse(Files.exists(missing));
        // a directory is named as such before the benchmark runs
        usage(run("bench", "--model", noModel, "--profile", tmp.toString()), "--profile " + tmp + ": is a directory; name a file");
        // the model's own files are inputs, --force or not
        Path weights = modelDir.resolve(ModelDirectory.WEIGHTS);
        byte[] w = Files.readAllBytes(weights);
        usage(run("bench", "--force", "--model", modelDir.toString(), "--profile", weights.toString()),
                "--profile " + weights + ": is also an input; write to another file");
        assertArrayEquals(w, Files.readAllBytes(weights));
        // with --force the trace replaces it, through a temporary file and a rename
        CliRun ok = run("bench", "--force", "--variant", "micro", "--seconds", "0.05", "--warmup-max", "0.05",
                "--profile-passes", "1", "--profile", existing.toString());
        assertEquals(ExitCodes.OK, ok.code(), ok.err());
        assertTrue(JsonParser.parseString(Files.readString(existing)).getAsJsonArray().size() > 0, "libtorch's trace events");
        assertTrue(ok.err().contains("libtorch trace of 1 passes written to " + existing + ";"), ok.err());
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".in.png.")), "no temporary file left");
        }
        // nothing to profile in a soak
        usage(run("bench", "--model", noModel, "--soak", "1000", "--profile", tmp.resolve("s.json").toString()),
                "--profile profiles the forward or --train benchmark; --soak has no passes to profile");
    }

    @Test
    void theTrainingBenchmarksTraceFollowsTheSameRules() throws Exception {
        Path data = tmp.resolve("train-data");
        Random r = new Random(5);
        for (String c : List.of("a", "b")) {
            Files.createDirectories(data.resolve(c));
            for (int i = 0; i < 24; i++) {
                BufferedImage b = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
                b.getRaster().setSample(r.nextInt(16), r.nextInt(16), 0, 255);
                ImageIO.write(b, "png", data.resolve(c).resolve(i + ".png").toFile());
            }
        }
        Path existing = Files.writeString(tmp.resolve("notes.json"), "my notes");
        usage(run("bench", "--train", data.toString(), "--variant", "micro", "--profile", existing.toString()),
                "--profile " + existing + ": exists; add --force to replace it");
        assertEquals("my notes", Files.readString(existing));
        Path trace = tmp.resolve("train-trace.json");
        CliRun ok = run("bench", "--train", data.toString(), "--variant", "micro", "--batch-size", "4", "--seconds", "0.01",
                "--profile-passes", "1", "--profile", trace.toString());
        assertEquals(ExitCodes.OK, ok.code(), ok.err());
        assertTrue(JsonParser.parseString(Files.readString(trace)).getAsJsonArray().size() > 0, "libtorch's trace events");
        assertTrue(ok.err().contains("libtorch trace of 1 training steps written to " + trace + ";"), ok.err());
    }

    @Test
    void aSoakTooShortToMeasureGrowthSaysSoInValidJson() {
        CliRun r = run("bench", "--quiet", "--model", modelDir.toString(), "--soak", "1000", "--soak-images", images.toString(),
                "--format", "json");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonObject o = strictJson(r.out().strip());
        assertEquals(1000, o.get("predictions").getAsLong());
        assertTrue(o.get("growth_after_warmup").isJsonNull(), o.toString());
        assertTrue(o.get("rss_mib_after_warmup").isJsonNull(), o.toString());
        assertEquals("a soak of 1000 predictions ends within the 5000-prediction warm-up; growth needs --soak 6000 or more",
                o.get("growth_after_warmup_reason").getAsString());
        assertTrue(o.get("rss_mib_end").getAsDouble() > 10, o.toString());
    }

    @Test
    void theSoakImagesAreCheckedBeforeTheModelIsLoaded() throws Exception {
        // the default, sample-images, is relative: run elsewhere it names nothing
        usage(run("bench", "--model", noModel, "--soak", "1000", "--soak-images", tmp.resolve("sample-images").toString()),
                "--soak-images " + tmp.resolve("sample-images") + ": no such directory");
        Path text = Files.createDirectories(tmp.resolve("no-images"));
        Files.writeString(text.resolve("a.txt"), "x");
        usage(run("bench", "--model", noModel, "--soak", "1000", "--soak-images", text.toString()),
                "--soak-images " + text + ": no image files found (looked for jpg, jpeg, png, gif, bmp, tif, tiff, webp)");
        usage(run("bench", "--model", noModel, "--soak-images", images.toString()), "--soak-images needs --soak");
    }

    @Test
    void anImageSizeTheModelCannotTakeIsRefusedBeforeItIsBuilt() {
        usage(run("bench", "--variant", "micro", "--image-size", "100"),
                "--image-size 100x100: not a multiple of the model's patch size 16");
        usage(run("bench", "--model", modelDir.toString(), "--image-size", "40x48"),
                "--image-size 40x48: not a multiple of the model's patch size 16");
    }
}
