package org.vit4j.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.AttentionMaps;
import org.vit4j.infer.AttentionPicture;
import org.vit4j.infer.BundledModel;
import org.vit4j.infer.Classification;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.VitEncoder;

/**
 * The Java of the README's library section and of {@code docs/library.md} runs: the statements
 * below are those of the pages (each page's code, comments and blank lines aside, is checked to
 * be here line for line), run from the project root as the pages say.
 */
class LibraryPageTest {

    /** The code lines of a page's first {@code java} block with {@code InferenceModel} in it, comments and imports dropped. */
    private static List<String> codeOf(String page) throws IOException {
        return codeOf(page, "InferenceModel");
    }

    /** The code lines of a page's first {@code java} block with {@code word} in it, comments and imports dropped. */
    private static List<String> codeOf(String page, String word) throws IOException {
        String text = Files.readString(Path.of(page));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(text);
        while (m.find()) {
            if (m.group(1).contains(word)) {
                return m.group(1).lines().map(l -> l.replaceAll("\\s*//.*$", "").strip())
                        .filter(l -> !l.isEmpty() && !l.startsWith("import ")).toList();
            }
        }
        throw new AssertionError(page + " has no java block with " + word);
    }

    private static String thisSource() throws IOException {
        return Files.readString(Path.of("src/test/java/org/vit4j/examples/LibraryPageTest.java"));
    }

    @Test
    void thePagesShowThisCode() throws IOException {
        String mine = thisSource();
        for (String page : List.of("README.md", "docs/library.md")) {
            for (String line : codeOf(page)) {
                assertTrue(mine.contains(line), page + ": " + line);
            }
        }
        for (String line : codeOf("docs/library.md", "model.attention()")) {
            assertTrue(mine.contains(line), "docs/library.md: " + line);
        }
    }

    @Test
    void libraryPageAttentionCodeGivesTheMaps() throws Exception {
        try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
            AttentionMaps maps = model.attention().maps(Path.of("sample-images/photo-cat-chelsea.jpg"));
            long[] shape = maps.shape();
            float p = maps.get(5, 0, 10, 11);
            float[][] rollout = maps.rollout();
            float[] looked = maps.pooledAttention(maps.headMean(5));
            BufferedImage picture = maps.picture();

            assertArrayEquals(new long[] {6, 4, 64, 64}, shape);
            assertEquals(maps.values()[((5 * 4 + 0) * 64 + 10) * 64 + 11], p);
            assertEquals(64, rollout.length);
            assertEquals(1.0, sum(rollout[3]), 1e-5);
            assertEquals(64, looked.length);
            assertEquals(1.0, sum(looked), 1e-5); // the mean of rows that each sum to 1, with no prefix tokens
            assertEquals(AttentionPicture.size(6, 128, 128)[0], picture.getWidth());
        }
    }

    private static double sum(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    @Test
    void libraryPageCodeClassifiesAndComputesEmbeddedTokens() throws Exception {
        try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
            Classification c = model.classifier().classify(Path.of("sample-images/fashion-9-ankle-boot-test0.png"), 3);
            System.out.println(c.best().label() + " " + c.best().probability());
            float[] pooled = c.pooled();

            VitEncoder encoder = model.encoder();
            Path coffee = Path.of("sample-images/photo-coffee.jpg");
            float[][] patches = encoder.embedded(coffee);
            float[][] encoded = encoder.encoded(coffee);

            assertEquals("Ankle boot", c.best().label());
            int d = model.getConfig().architecture().width();
            int n = model.getConfig().architecture().grid().size();
            assertEquals(d, pooled.length);
            assertEquals(n, patches.length);
            assertEquals(d, patches[0].length);
            assertEquals(n, encoded.length);
        }

        try (InferenceModel model = InferenceModel.builder()
                .setModelFiles(BundledModel.files())
                .optPrecision(Precision.AUTO)
                .build()) {
            System.out.println(model.getForward().describe());
            assertEquals(ForwardEngine.COMPILED, model.getForward().engine());
        }
    }

    @Test
    void readmeCodeClassifiesAndComputesEmbeddedTokens() throws Exception {
        try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
            Classification c = model.classifier().classify(Path.of("sample-images/fashion-9-ankle-boot-test0.png"), 3);
            System.out.println(c.best().label() + " " + c.best().probability());
            float[][] patches = model.encoder().embedded(Path.of("sample-images/photo-coffee.jpg"));
            assertEquals(model.getConfig().architecture().grid().size(), patches.length);
        }
    }
}
