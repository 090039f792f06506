package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.cli.ExitCodes;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.cli.CliRun;

/**
 * Broken, mismatched and hostile model directories are refused, through {@link VitModel#load} and
 * through {@code vit4j predict --model DIR} (exit 3, one line, no stack trace), with a message
 * that names the file and what is wrong; files that are not part of the model are never opened.
 */
class ModelRefusalTest {

    @TempDir static Path tmp;
    static Path good;
    static Path image;

    @BeforeAll
    static void setUp() throws Exception {
        good = tmp.resolve("good");
        try (VitModel m = TestModels.create(Variant.MICRO.toBuilder().build(), 21)) { // 64x64 grey, D=32, 2 heads
            m.save(good);
        }
        image = tmp.resolve("img.png");
        ImageIO.write(HostileFiles.noise(64, 64, 3), "png", image.toFile());
    }

    // ---------------------------------------------------------------- weights

    @Test
    void truncatedWeightsAreCaughtByTheChecksum() throws Exception {
        Path d = copy("truncated");
        truncateWeights(d);
        refused(d, d.resolve("model.safetensors") + ": SHA-256 [0-9a-f]{64} does not match [0-9a-f]{64} in checksums.sha256");
    }

    @Test
    void truncatedWeightsWithARecomputedChecksumAreCaughtByTheParser() throws Exception {
        Path d = copy("truncated-rehashed");
        truncateWeights(d);
        rehash(d);
        refused(d, Pattern.quote(d.resolve("model.safetensors").toString())
                + ": (tensor .* has data_offsets .* that do not fit it or the file|not a safetensors file)");
    }

    @Test
    void oneFlippedBitInAFloatIsCaughtByTheChecksum() throws Exception {
        Path d = copy("bitflip");
        Path w = d.resolve(ModelDirectory.WEIGHTS);
        byte[] b = Files.readAllBytes(w);
        long header = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        int at = (int) (8 + header + (b.length - 8 - header) / 2 / 4 * 4); // a float in the middle of the data
        b[at] ^= 1; // lowest mantissa bit: the weight changes by about 1e-8, invisible without the checksum
        Files.write(w, b);
        refused(d, Pattern.quote(w.toString()) + ": SHA-256 [0-9a-f]{64} does not match [0-9a-f]{64} in checksums.sha256"
                + " \\(file corrupt or changed\\)");
    }

    @Test
    void weightsOfAnotherArchitectureAreSummarisedWithTheFirstProblemsOfEachKind() throws Exception {
        Path d = copy("other-arch");
        ViTConfig other = Variant.MICRO.toBuilder().setWidth(48).setDepth(3).optPooling(Pooling.AVG).build();
        try (VitModel m = TestModels.create(other, 5)) {
            Files.write(d.resolve(ModelDirectory.WEIGHTS), m.weightsAsSafetensors());
        }
        rehash(d);
        String msg = refused(d, Pattern.quote(d.resolve("model.safetensors").toString()) + ": weights do not fit ");
        assertTrue(msg.contains("missing cls_token (1, 32)"), msg); // the other model has no class token
        assertTrue(Pattern.compile("shape of \\S+ is \\(\\d+, 48\\), expected \\(\\d+, 32\\)").matcher(msg).find(), msg);
        assertTrue(msg.contains("unexpected blocks.2."), msg); // a third block
        // one short line, not every tensor (it was 4,739 characters)
        assertTrue(msg.contains(": 43 problems: 1 missing (missing cls_token (1, 32)), 30 mis-shaped ("), msg);
        assertTrue(msg.contains("; and 27 more), 12 unexpected ("), msg);
        assertTrue(msg.length() < 1000, msg.length() + " characters: " + msg);
    }

    @Test
    void hostileSafetensorsHeadersAreRefusedAsIoErrors() throws Exception {
        String[] headers = {
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[4,0]}}",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[65536,65536,65536,65536],\"data_offsets\":[0,0]}}",
            "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9000000000]}}",
            "{\"w\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
            "{\"w\":\"not an object\"}",
            "[1, 2, 3]",
        };
        for (int i = 0; i < headers.length; i++) {
            Path d = copy("hostile-header-" + i);
            byte[] h = headers[i].getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(h.length).put(h);
            Files.write(d.resolve(ModelDirectory.WEIGHTS), b.array());
            rehash(d);
            refused(d, Pattern.quote(d.resolve("model.safetensors").toString()) + ": ");
        }
    }

    @Test
    void aPickleInPlaceOfTheWeightsIsRefusedWithoutBeingRead() throws Exception {
        Path d = copy("pickle");
        // a PyTorch .pt is a zip archive holding a pickle; a pickle can run code when unpickled
        Files.write(d.resolve(ModelDirectory.WEIGHTS), new byte[] {'P', 'K', 3, 4, (byte) 0x80, 2, 'c', 'o', 's', '\n'});
        rehash(d);
        refused(d, "a zip archive \\(a PyTorch .pt/.bin pickle\\?\\); vit4j reads only .safetensors");
    }

    // ---------------------------------------------------------------- labels and config

    @Test
    void otherLabelCountIsRefused() throws Exception {
        Path d = copy("labels");
        Files.writeString(d.resolve(ModelDirectory.LABELS), "a\nb\nc\n");
        rehash(d);
        refused(d, Pattern.quote(d.resolve("labels.txt").toString()) + ": has 3 labels but the config says numClasses=10");
    }

    @Test
    void invalidConfigsAreRefusedNamingTheField() throws Exception {
        String cfg = Files.readString(good.resolve(ModelDirectory.CONFIG));
        String[][] cases = {
            {"missing-field", cfg.replaceFirst("\\s*\"heads\": 2,", ""), "config field 'heads' is missing"},
            {"heads-5", cfg.replace("\"heads\": 2", "\"heads\": 5"), "width 32 is not divisible by heads 5"},
            {"not-json", "this is { not json", "config is not (valid JSON: syntax error at line 1 column|a JSON object)"},
            {"array", "[1, 2]", "config is not a JSON object"},
            {"format", cfg.replace("\"vit4j-model\"", "\"pytorch\""),
                "config field 'format' is 'pytorch', expected 'vit4j-model'"},
            {"depth-text", cfg.replace("\"depth\": 2", "\"depth\": \"two\""), "config field 'depth' must be an integer"},
            {"newer", cfg.replace("\"formatVersion\": 1", "\"formatVersion\": 99"), "config formatVersion 99 is newer than this vit4j reads \\(1\\)"},
            {"empty", "", "config is not (valid JSON: syntax error at line 1 column|a JSON object)"},
        };
        for (String[] c : cases) {
            assertTrue(!c[1].equals(cfg), c[0] + ": the edit did not apply");
            Path d = copy("config-" + c[0]);
            Files.writeString(d.resolve(ModelDirectory.CONFIG), c[1]);
            rehash(d);
            refused(d, Pattern.quote(d.resolve("config.json").toString()) + ": " + c[2]);
        }
    }

    @Test
    void missingDirectoryAndMissingFilesAreRefused() throws Exception {
        Path none = tmp.resolve("no such model");
        refused(none, Pattern.quote(none.toString()) + ": model directory does not exist");
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.LABELS, ModelDirectory.WEIGHTS,
                ModelDirectory.CHECKSUMS)) {
            Path d = copy("without-" + f);
            Files.delete(d.resolve(f));
            refused(d, Pattern.quote(d.resolve(f).toString()) + ": missing \\(not a vit4j model directory\\?\\)");
        }
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a directory");
        refused(file, Pattern.quote(file + ": not a directory (a vit4j model is a directory of files)"));
    }

    // ---------------------------------------------------------------- code next to the model

    @Test
    void codeNextToTheModelIsNeverOpened() throws Exception {
        Path d = copy("with-code");
        // garbage under names a class loader or unpickler would open: reading any of them would fail
        Files.write(d.resolve("evil.jar"), "PK\u0003\u0004 not really a jar".getBytes(StandardCharsets.ISO_8859_1));
        Files.write(d.resolve("Evil.class"), new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0});
        Files.write(d.resolve("model.pt"), new byte[] {'P', 'K', 3, 4, (byte) 0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's'});
        Files.createDirectories(d.resolve("libs"));
        Files.write(d.resolve("libs/evil.jar"), new byte[] {1, 2, 3});
        Files.createDirectories(d.resolve("classes"));
        Files.writeString(d.resolve("classes/Evil.java"), "class Evil { static { System.exit(42); } }");
        for (Path p : List.of(d.resolve("evil.jar"), d.resolve("Evil.class"), d.resolve("model.pt"),
                d.resolve("libs/evil.jar"), d.resolve("classes/Evil.java"))) {
            assertTrue(p.toFile().setReadable(false, false), "chmod " + p); // root may still read: the garbage still proves it
        }
        try (VitModel clean = VitModel.load(good, Device.cpu()); VitModel withCode = VitModel.load(d, Device.cpu())) {
            assertArrayEquals(clean.weightsAsSafetensors(), withCode.weightsAsSafetensors());
        }
        CliRun r = CliRun.run("predict", "--model", d.toString(), "--format", "json", image.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        CliRun clean = CliRun.run("predict", "--model", good.toString(), "--format", "json", image.toString());
        assertEquals(clean.out(), r.out());
        // the DJL Criteria path names vit4j's own block factory, found on the classpath
        String serving = Files.readString(d.resolve(ModelDirectory.SERVING));
        assertTrue(serving.contains("blockFactory=org.vit4j.infer.VitBlockFactory"), serving);
        assertTrue(serving.contains("option.hasParameter=false"), serving);
        // and nothing was written into the model directory
        try (Stream<Path> s = Files.list(d)) {
            assertEquals(List.of("Evil.class", "checksums.sha256", "classes", "config.json", "evil.jar", "labels.txt",
                    "libs", "model.pt", "model.safetensors", "serving.properties"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    // ---------------------------------------------------------------- helpers

    /**
     * Asserts that the library and the command line both refuse the directory with a message
     * matching {@code pattern}; returns the library's message.
     */
    private static String refused(Path dir, String pattern) {
        Pattern p = Pattern.compile(pattern);
        String msg = null;
        try (VitModel m = VitModel.load(dir, Device.cpu())) {
            fail(dir + " was loaded");
        } catch (IOException e) {
            msg = e.getMessage();
        } catch (Throwable t) { // deliberately everything: an Error or RuntimeException is a failure
            fail(dir + ": leaked " + t, t);
        }
        assertTrue(p.matcher(msg).find(), "'" + msg + "' does not match " + pattern);
        CliRun r = CliRun.run("predict", "--model", dir.toString(), "--format", "json", image.toString());
        assertEquals(ExitCodes.MODEL, r.code(), r.err());
        HostileInputsTest.assertNoStackTrace(r);
        assertEquals("", r.out().strip());
        String line = r.errorLine();
        assertTrue(line.startsWith("vit4j predict: cannot load model: "), line);
        assertTrue(p.matcher(line).find(), "'" + line + "' does not match " + pattern);
        return msg;
    }

    private static Path copy(String name) throws IOException {
        Path d = tmp.resolve(name);
        Files.createDirectories(d);
        try (Stream<Path> s = Files.list(good)) {
            for (Path f : s.toList()) {
                Files.copy(f, d.resolve(f.getFileName()));
            }
        }
        return d;
    }

    private static void truncateWeights(Path d) throws IOException {
        Path w = d.resolve(ModelDirectory.WEIGHTS);
        byte[] b = Files.readAllBytes(w);
        Files.write(w, java.util.Arrays.copyOf(b, b.length * 2 / 3));
    }

    /** Rewrites checksums.sha256 for the files as they are now (someone edited and re-hashed them). */
    private static void rehash(Path d) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String f : List.of(ModelDirectory.CONFIG, ModelDirectory.LABELS, ModelDirectory.WEIGHTS)) {
            lines.add(ModelDirectory.sha256(Files.readAllBytes(d.resolve(f))) + "  " + f);
        }
        Files.writeString(d.resolve(ModelDirectory.CHECKSUMS), String.join("\n", lines) + "\n");
    }
}
