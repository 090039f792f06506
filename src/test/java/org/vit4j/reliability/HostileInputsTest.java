package org.vit4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.vit4j.cli.CliRun.run;
import static org.vit4j.reliability.HostileFiles.*;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.cli.CliRun;
import org.vit4j.cli.ExitCodes;
import org.vit4j.cli.Vit4j;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.SizingPolicy;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.VitClassifier;
import org.vit4j.io.Npy;
import org.vit4j.model.TestModels;
import org.vit4j.model.Variant;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.model.VitModel;
import picocli.CommandLine;

/**
 * A corpus of hostile inputs, generated here byte by byte, through the library and through
 * {@code vit4j predict}: every file gives a correct result or a refusal whose message names the
 * file and the reason; one bad file never stops the others; no stack trace without --verbose.
 *
 * <p>"Correct" is checked against a reference picture built in memory: a lossless file must
 * classify exactly as the picture it encodes (a 1x1 pixel as a constant 64x64 picture of its
 * colour, the first frame of a GIF or TIFF as that frame).
 */
class HostileInputsTest {

    @TempDir static Path tmp;
    static Path corpus;
    static Path modelDir;
    static InferenceModel model;
    static VitClassifier clf;

    /**
     * One file of the corpus.
     *
     * @param name path relative to the corpus directory
     * @param reference for a good file, the picture it must classify as (null: only sanity checks)
     * @param reason for a bad file, a pattern its message must match (case-insensitive); null for a good one
     */
    record Case(String name, BufferedImage reference, Pattern reason) {
        boolean good() {
            return reason == null;
        }
    }

    static final List<Case> CASES = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        ViTConfig cfg = rgbMicro().build(); // 64x64 RGB, patch 16, exact resize
        modelDir = tmp.resolve("model");
        try (VitModel m = TestModels.create(cfg, 11)) {
            m.save(modelDir);
        }
        model = InferenceModel.load(modelDir, Device.cpu());
        clf = model.classifier();
        corpus = tmp.resolve("corpus");
        Files.createDirectories(corpus);
        buildCorpus();
    }

    @AfterAll
    static void tearDown() {
        if (model != null) {
            model.close();
        }
    }

    static ViTConfigBuilder rgbMicro() {
        float[] half = {0.5f, 0.5f, 0.5f};
        return Variant.MICRO.toBuilder().optChannels(3).optNormalization(half, half);
    }

    // ---------------------------------------------------------------- the corpus

    private static void good(String name, byte[] bytes, BufferedImage reference) throws IOException {
        write(name, bytes);
        CASES.add(new Case(name, reference, null));
    }

    private static void bad(String name, byte[] bytes, String reason) throws IOException {
        write(name, bytes);
        CASES.add(new Case(name, null, Pattern.compile(reason, Pattern.CASE_INSENSITIVE)));
    }

    private static void write(String name, byte[] bytes) throws IOException {
        Path p = corpus.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }

    private static void buildCorpus() throws Exception {
        BufferedImage noise = noise(48, 40, 1);
        byte[] png = encode(noise, "png");
        byte[] jpg = encode(noise(48, 40, 2), "jpg");

        // good files, and formats with unusual layouts
        good("good 1.png", png, noise);
        good("good2.jpg", jpg, null);
        good("good3.bmp", encode(noise(20, 30, 3), "bmp"), noise(20, 30, 3));
        BufferedImage px = solid(1, 1, 0x3366CC);
        good("one_pixel.png", encode(px, "png"), solid(64, 64, 0x3366CC)); // resized to a constant picture
        BufferedImage small = noise(7, 10, 4);
        good("smaller_than_patch.png", encode(small, "png"), small);
        BufferedImage tall = noise(1, 4000, 5);
        good("aspect_1x4000.png", encode(tall, "png"), tall);
        BufferedImage wide = noise(4000, 1, 6);
        good("aspect_4000x1.png", encode(wide, "png"), wide);
        good("gray16.png", encode(gray16(33, 21, 7), "png"), gray8(33, 21, 7));
        good("rgb16.png", encode(rgb16(noise), "png"), noise);
        good("palette.png", encode(palette(30, 20), "png"), toRgb(palette(30, 20)));
        good("gray_alpha.png", encode(grayAlpha(25, 17), "png"), grayAlphaOnWhite(25, 17));
        good("multipage.tif", multiPageTiff(noise, noise(48, 40, 9)), noise);
        good("animated.gif", animatedGif(solid(16, 16, 0xFF0000), solid(16, 16, 0x0000FF)), solid(16, 16, 0xFF0000));
        good("ünïcödé dir/fîlé 1.png", encode(noise(32, 32, 10), "png"), noise(32, 32, 10));
        for (String f : List.of("cmyk.jpg", "rgb16.png", "gray16.tif", "gray_alpha.png", "palette_trns.png",
                "multipage.tif", "two_frames.gif")) {
            good("fixtures/" + f, fixture(f), null); // committed by the image package, made by make_fixtures.py
        }

        // bad files
        bad("empty.png", new byte[0], "file is empty \\(0 bytes\\)");
        bad("text.jpg", "this is plain text, not a JPEG\n".getBytes(StandardCharsets.UTF_8), "not a recognised image");
        bad("ünïcödé dir/brökén 2.jpg", "nope".getBytes(StandardCharsets.UTF_8), "not a recognised image");
        bad("random.gif", randomBytes(300, 12), "not a recognised image");
        bad("truncated.jpg", Arrays.copyOf(jpg, jpg.length / 2), "truncated");
        bad("truncated.png", Arrays.copyOf(png, png.length / 2), "truncated|corrupt");
        bad("signature_only.png", Arrays.copyOf(png, 8), "truncated|invalid image header|not a recognised");
        bad("soi_only.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8}, "truncated|invalid image header|not a recognised");
        // TwelveMonkeys reads past the DHT segment and hits EOF: the reason says "truncated" (see the report)
        bad("bad_huffman.jpg", corruptHuffman(jpg), "huffman|corrupt|truncated");
        bad("bomb.png", pngHeader(100_000, 100_000), "100000x100000 = 10000000000 pixels, above the limit of 89478485");
        bad("bomb.tif", tiffHeader(100_000, 100_000), "100000x100000 = 10000000000 pixels, above the limit of 89478485");
        bad("bomb.jpg", jpegSize(jpg, 65_535, 65_535), "65535x65535 = 4294836225 pixels, above the limit of 89478485");
        // the BMP reader already refuses a header whose pixels cannot be in the file: also before allocating
        bad("bomb.bmp", bmpHeader(100_000, 100_000), "100000x100000 = 10000000000 pixels, above the limit"
                + "|invalid image header \\(BMP: Invalid width/height");
        bad("zero_size.png", pngHeader(0, 7), "zero size|invalid image header");
        bad("no_pixels.png", pngHeader(64, 64), "truncated|corrupt");
        bad("truncated.gif", truncate(encode(solid(40, 40, 0x00FF00), "gif"), 0.5), "truncated|corrupt");
        bad("tiff_strip_beyond_eof.tif", tiffHeader(64, 64), "truncated|corrupt");
        // symlink loop: a directory entry pointing at its own parent
        Files.createSymbolicLink(corpus.resolve("loop"), corpus);
        CASES.add(new Case("loop", null, Pattern.compile("symbolic link loop|is a directory", Pattern.CASE_INSENSITIVE)));

        // a PNG whose last chunk CRC is wrong but whose data is intact: a correct result or a CRC refusal
        bad("bad_crc.png", badCrc(png), "crc|corrupt");
    }

    // ---------------------------------------------------------------- through the library

    @Test
    void corpusIsLargeEnough() {
        // images here, tensors in tensorInputs(): the issue asks for at least 30 cases in all
        assertTrue(CASES.size() + TENSOR_CASES >= 30, "only " + CASES.size() + " image cases");
    }

    @Test
    void libraryGivesACorrectResultOrANamedRefusal() {
        List<String> problems = new ArrayList<>();
        for (Case c : CASES) {
            Path p = corpus.resolve(c.name());
            Object outcome = classify(p);
            if (outcome instanceof Throwable t) {
                if (!(t instanceof IOException)) {
                    problems.add(c.name() + ": leaked " + t);
                    continue;
                }
                String m = t.getMessage();
                if (c.good()) {
                    if (!(c.name().equals("bad_crc.png"))) {
                        problems.add(c.name() + ": refused a good file: " + m);
                    }
                } else if (m == null || !m.contains(p.toString())) {
                    problems.add(c.name() + ": message does not name the file: " + m);
                } else if (!c.reason().matcher(m.substring(p.toString().length())).find()) {
                    problems.add(c.name() + ": message '" + m + "' does not match " + c.reason());
                }
            } else {
                Classification got = (Classification) outcome;
                if (!c.good() && !c.name().equals("bad_crc.png")) {
                    problems.add(c.name() + ": a bad file was classified");
                } else {
                    checkClassification(c, got, problems);
                }
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    /** The bad-CRC PNG holds intact data: if it is accepted, it must decode to the original picture. */
    @Test
    void badCrcPngIsEitherRefusedOrExact() throws IOException {
        Object o = classify(corpus.resolve("bad_crc.png"));
        if (o instanceof Classification c) {
            assertLogits(clf.classify(noise(48, 40, 1), 3), c, "bad_crc.png");
        } else {
            assertTrue(o instanceof ImageLoadException, String.valueOf(o));
        }
    }

    @Test
    void decompressionBombsAreRefusedFromTheHeaderAtTheNormalHeap() {
        for (String name : List.of("bomb.png", "bomb.tif", "bomb.jpg")) {
            long t0 = System.nanoTime();
            Object o = classify(corpus.resolve(name));
            double ms = (System.nanoTime() - t0) / 1e6;
            assertTrue(o instanceof ImageLoadException, name + ": " + o);
            ImageLoadException e = (ImageLoadException) o;
            assertTrue(e.getReason().contains("above the limit of " + ImageLoader.DEFAULT_MAX_PIXELS), e.getMessage());
            assertEquals(corpus.resolve(name).toString(), e.getSource());
            assertFalse(e.getCause() instanceof OutOfMemoryError, name);
            // a 10^10-pixel raster would take minutes to allocate, if it could; the header is enough
            assertTrue(ms < 5_000, name + " took " + ms + " ms");
        }
    }

    @Test
    void tinyImagesAreRefusedByStrictAndPadWithTheNumbers() throws Exception {
        ImageLoader loader = ImageLoader.builder().build();
        for (SizingPolicy policy : List.of(SizingPolicy.STRICT, SizingPolicy.PAD)) {
            ImagePreprocessor pre = ImagePreprocessor.builder().setImageSize(64, 64).setPatchSize(16)
                    .optChannels(3).optPolicy(policy).build();
            for (String name : List.of("one_pixel.png", "smaller_than_patch.png")) {
                Path p = corpus.resolve(name);
                BufferedImage img = loader.load(p);
                ImageLoadException e = assertThrowsLoad(() -> pre.apply(img, p.toString()));
                String hw = img.getHeight() + "x" + img.getWidth();
                assertEquals(p + ": image " + hw + " (HxW) is smaller than one 16x16 patch (policy: "
                        + policy.cliName() + ")", e.getMessage());
            }
            // the extreme aspect ratios are one pixel thin: also smaller than a patch
            Path p = corpus.resolve("aspect_1x4000.png");
            ImageLoadException e = assertThrowsLoad(() -> pre.apply(loader.load(p), p.toString()));
            assertTrue(e.getMessage().contains("image 4000x1 (HxW) is smaller than one 16x16 patch"), e.getMessage());
        }
    }

    // ---------------------------------------------------------------- through the command line

    @Test
    void predictOnTheWholeCorpusDirectory() {
        CliRun r = run("predict", "--model", modelDir.toString(), "--format", "json", "--logits", "--top-k", "3",
                corpus.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        assertNoStackTrace(r);
        Map<String, JsonObject> byPath = new HashMap<>();
        for (JsonObject o : r.jsonLines()) {
            JsonObject before = byPath.put(o.get("path").getAsString(), o);
            assertTrue(before == null, "two lines for " + o);
        }
        List<String> problems = new ArrayList<>();
        int good = 0;
        int bad = 0;
        for (Case c : CASES) {
            String path = corpus.resolve(c.name()).toString();
            JsonObject o = byPath.remove(path);
            if (o == null) {
                problems.add(c.name() + ": no output line (lines: " + byPath.keySet() + ")");
                continue;
            }
            if (c.good() || (c.name().equals("bad_crc.png") && o.has("predictions"))) {
                if (!o.has("predictions")) {
                    problems.add(c.name() + ": " + o);
                    continue;
                }
                good++;
                // the command line gives the library's numbers
                Object lib = classify(corpus.resolve(c.name()));
                JsonArray logits = o.getAsJsonArray("logits");
                float[] want = ((Classification) lib).logits();
                for (int j = 0; j < want.length; j++) {
                    if (Math.abs(want[j] - logits.get(j).getAsFloat()) > 1e-4) {
                        problems.add(c.name() + ": logit " + j + " is " + logits.get(j) + ", library " + want[j]);
                        break;
                    }
                }
            } else {
                bad++;
                if (!o.has("error") || !c.reason().matcher(o.get("error").getAsString()).find()) {
                    problems.add(c.name() + ": expected an error matching " + c.reason() + ", got " + o);
                }
            }
        }
        assertTrue(byPath.isEmpty(), "lines for files not in the corpus: " + byPath.keySet());
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(good >= 20 && bad >= 15, good + " good, " + bad + " bad");
    }

    @Test
    void padModelRefusesTinyImagesPerFileOnTheCommandLine() throws Exception {
        Path padModel = tmp.resolve("pad-model");
        ViTConfig cfg = rgbMicro().optSizing("pad").build();
        try (VitModel m = TestModels.create(cfg, 12)) {
            m.save(padModel);
        }
        String tiny = corpus.resolve("one_pixel.png").toString();
        String good = corpus.resolve("good 1.png").toString();
        CliRun r = run("predict", "--model", padModel.toString(), "--format", "json", tiny, good);
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        assertNoStackTrace(r);
        List<JsonObject> lines = r.jsonLines();
        assertEquals(2, lines.size(), r.out());
        assertEquals(tiny, lines.get(0).get("path").getAsString());
        assertEquals("image 1x1 (HxW) is smaller than one 16x16 patch (policy: pad)",
                lines.get(0).get("error").getAsString());
        assertTrue(lines.get(1).has("predictions"), lines.get(1).toString());
    }

    // ---------------------------------------------------------------- --tensor

    static final int TENSOR_CASES = 8;

    @Test
    void tensorInputs() throws Exception {
        Path dir = tmp.resolve("tensors");
        Files.createDirectories(dir);
        int per = 3 * 64 * 64;
        float[] two = new float[2 * per];
        Arrays.fill(two, 0.25f);

        // 1. a good row and a NaN row: the good one is predicted, the NaN row reported, exit 1
        float[] nan = two.clone();
        nan[per + 17] = Float.NaN;
        Path nanFile = dir.resolve("nan.npy");
        Npy.write(nanFile, new long[] {2, 3, 64, 64}, nan);
        checkRowError(nanFile, 1);
        // 2. an infinite value in the first row
        float[] inf = two.clone();
        inf[3] = Float.NEGATIVE_INFINITY;
        Path infFile = dir.resolve("inf.npy");
        Npy.write(infFile, new long[] {2, 3, 64, 64}, inf);
        checkRowError(infFile, 0);

        // whole-file refusals: one line naming the file, exit 2 (the array given with --tensor is unusable)
        // 3. int64 written by hand
        Path i64 = dir.resolve("int64.npy");
        Files.write(i64, npy("<i8", "(1, 3, 64, 64)", false, new byte[8 * per]));
        checkFileRefused(i64, Pattern.quote("unsupported dtype '<i8'"));
        // 4. wrong rank
        Path rank3 = dir.resolve("rank3.npy");
        Npy.write(rank3, new long[] {3, 64, 64}, new float[per]);
        checkFileRefused(rank3, Pattern.quote("has rank 3, expected (B, C, H, W)"));
        // 5. Fortran order
        Path fortran = dir.resolve("fortran.npy");
        Files.write(fortran, npy("<f4", "(1, 3, 64, 64)", true, new byte[4 * per]));
        checkFileRefused(fortran, Pattern.quote("fortran_order=True is not supported"));
        // 6. truncated data
        Path cut = dir.resolve("truncated.npy");
        byte[] full = Npy.toBytes(new long[] {1, 3, 64, 64}, new float[per]);
        Files.write(cut, Arrays.copyOf(full, full.length - 100));
        checkFileRefused(cut, "truncat|end of file|ends after");
        // 7. not a .npy at all
        Path text = dir.resolve("text.npy");
        Files.writeString(text, "1,2,3\n");
        checkFileRefused(text, Pattern.quote("is not a .npy file"));
        // 8. a size the model cannot take
        Path odd = dir.resolve("odd.npy");
        Npy.write(odd, new long[] {1, 3, 30, 64}, new float[3 * 30 * 64]);
        checkFileRefused(odd, "does not fit the model");

        // through the library: the file-level problems are IOExceptions naming the file
        for (Path p : List.of(i64, fortran, cut, text)) {
            try {
                Npy.read(p);
                fail(p + " was read");
            } catch (IOException e) {
                assertTrue(e.getMessage().startsWith(p.toString()), e.getMessage());
            } catch (RuntimeException e) {
                fail(p + ": leaked " + e);
            }
        }
    }

    private static void checkRowError(Path file, int badRow) {
        CliRun r = run("predict", "--model", modelDir.toString(), "--format", "json", "--tensor", file.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        assertNoStackTrace(r);
        List<JsonObject> lines = r.jsonLines();
        assertEquals(2, lines.size(), r.out());
        JsonObject bad = lines.get(badRow);
        JsonObject good = lines.get(1 - badRow);
        assertEquals(file + "[" + badRow + "]", bad.get("path").getAsString());
        assertEquals("contains NaN or infinite values", bad.get("error").getAsString());
        assertTrue(good.has("predictions"), good.toString());
    }

    private static void checkFileRefused(Path file, String reasonPattern) {
        CliRun r = run("predict", "--model", modelDir.toString(), "--format", "json", "--tensor", file.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertNoStackTrace(r);
        assertEquals("", r.out().strip());
        String line = r.errorLine();
        assertTrue(line.contains(file.toString()), line);
        assertTrue(Pattern.compile(reasonPattern, Pattern.CASE_INSENSITIVE).matcher(line).find(), line);
    }

    // ---------------------------------------------------------------- helpers: running

    /** The library's outcome for a file: a Classification, or the Throwable it threw (any kind). */
    private static Object classify(Path p) {
        try {
            return clf.classify(p, 3);
        } catch (Throwable t) { // deliberately everything: an Error or RuntimeException is a failure
            return t;
        }
    }

    private static void checkClassification(Case c, Classification got, List<String> problems) {
        float sum = 0;
        for (float v : got.logits()) {
            if (!Float.isFinite(v)) {
                problems.add(c.name() + ": non-finite logits " + Arrays.toString(got.logits()));
                return;
            }
        }
        for (var p : got.top()) {
            sum += p.probability();
        }
        if (!(sum > 0 && sum <= 1.0001)) {
            problems.add(c.name() + ": top probabilities sum to " + sum);
        }
        if (c.reference() != null) {
            try {
                Classification want = clf.classify(c.reference(), 3);
                for (int j = 0; j < want.logits().length; j++) {
                    if (Math.abs(want.logits()[j] - got.logits()[j]) > 1e-4) {
                        problems.add(c.name() + ": logits " + Arrays.toString(got.logits())
                                + " differ from its reference picture's " + Arrays.toString(want.logits()));
                        return;
                    }
                }
            } catch (IOException e) {
                problems.add(c.name() + ": reference refused: " + e.getMessage());
            }
        }
    }

    private static void assertLogits(Classification want, Classification got, String what) {
        for (int j = 0; j < want.logits().length; j++) {
            assertEquals(want.logits()[j], got.logits()[j], 1e-4, what + " logit " + j);
        }
    }

    private interface LoadCall {
        Object call() throws Exception;
    }

    private static ImageLoadException assertThrowsLoad(LoadCall call) {
        try {
            call.call();
        } catch (ImageLoadException e) {
            return e;
        } catch (Exception e) {
            fail("expected ImageLoadException, got " + e);
        }
        throw new AssertionError("expected ImageLoadException, nothing thrown");
    }

    static void assertNoStackTrace(CliRun r) {
        assertFalse(r.err().contains("\tat "), r.err());
        assertFalse(r.err().contains("Exception"), r.err());
        assertFalse(r.err().contains("Error:"), r.err());
    }
}
