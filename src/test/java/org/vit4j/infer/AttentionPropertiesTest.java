package org.vit4j.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.Pooling;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.ViTConfigBuilder;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;
import org.vit4j.position.PositionEmbeddingKind;

/**
 * What attention maps must show, on both forwards: without a position embedding, scrambling the
 * patches permutes the maps' patch rows and columns by the same permutation (prefix tokens stay);
 * with a rotary embedding and no prefix tokens, on an image whose patch tokens are all equal, the
 * first block's pre-softmax score between two patches depends only on their offset.
 */
class AttentionPropertiesTest {

    static List<Arguments> withoutPositions() {
        List<Arguments> out = new ArrayList<>();
        for (ForwardEngine e : ForwardEngine.values()) {
            out.add(Arguments.of("class token", ConfigCases.base().optPosEmb(PositionEmbeddingKind.NONE), e));
            out.add(Arguments.of("class token, 3 registers", ConfigCases.base().optPosEmb(PositionEmbeddingKind.NONE)
                    .optRegisterTokens(3).optLayerScale(0.1), e));
            out.add(Arguments.of("avg, no prefix", ConfigCases.base().optPosEmb(PositionEmbeddingKind.NONE)
                    .optClassToken(false).optPooling(Pooling.AVG), e));
        }
        return out;
    }

    private static PreprocessedImage noise(long seed, int c, int h, int w) {
        Random r = new Random(seed);
        float[] x = new float[c * h * w];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return new PreprocessedImage(x, c, h, w);
    }

    private static InferenceModel load(ViTConfig config, ForwardEngine engine) throws IOException {
        return InferenceModel.builder().setModel(TestModels.create(config, 21)).optEngine(engine).build();
    }

    @ParameterizedTest(name = "{0}, {2}")
    @MethodSource("withoutPositions")
    void scramblingPermutesRowsAndColumnsAlikeWithoutPositionEmbeddings(String name, ViTConfigBuilder b,
            ForwardEngine engine) throws IOException {
        ViTConfig config = b.build();
        int[] perm = Scrambler.permutation(16, 9); // the 4x4 patch grid
        PreprocessedImage image = noise(4, 3, 32, 32);
        PreprocessedImage scrambled = Scrambler.scramble(image, new ShuffleGrid(4, 4), 9);
        float worst = 0;
        try (InferenceModel m = load(config, engine)) {
            assertEquals(engine, m.getForward().engine());
            List<AttentionMaps> maps = m.attention().maps(List.of(image, scrambled));
            AttentionMaps a = maps.get(0);
            AttentionMaps s = maps.get(1);
            int p = a.prefix();
            assertEquals(config.architecture().prefixTokens(), p);
            // scrambled token i is original token perm[i]; prefix tokens are themselves
            int[] token = new int[a.tokens()];
            for (int i = 0; i < token.length; i++) {
                token[i] = i < p ? i : p + perm[i - p];
            }
            for (int l = 0; l < a.layers(); l++) {
                for (int h = 0; h < a.heads(); h++) {
                    for (int i = 0; i < a.tokens(); i++) {
                        for (int j = 0; j < a.tokens(); j++) {
                            float want = a.get(l, h, token[i], token[j]);
                            float got = s.get(l, h, i, j);
                            assertEquals(want, got, 1e-6, name + " layer " + l + " head " + h + " (" + i + ", " + j + ")");
                            worst = Math.max(worst, Math.abs(a.get(l, h, i, j) - got));
                        }
                    }
                }
            }
        }
        assertTrue(worst > 1e-3, "the maps did not change with the order, so the test shows nothing: " + worst);
        // with a position embedding the same comparison fails: the property is the embedding's absence
        try (InferenceModel m = load(b.optPosEmb(PositionEmbeddingKind.LEARNED).build(), engine)) {
            List<AttentionMaps> maps = m.attention().maps(List.of(image, scrambled));
            int p = maps.get(0).prefix();
            double off = 0;
            for (int i = 0; i < 16; i++) {
                for (int j = 0; j < 16; j++) {
                    off = Math.max(off, Math.abs(maps.get(0).get(0, 0, p + perm[i], p + perm[j])
                            - maps.get(1).get(0, 0, p + i, p + j)));
                }
            }
            assertTrue(off > 1e-3, "a learned table left the permuted maps equal: " + off);
        }
    }

    static List<Arguments> rotary() {
        List<Arguments> out = new ArrayList<>();
        for (ForwardEngine e : ForwardEngine.values()) {
            for (String kind : new String[] {"rope-axial", "rope-mixed", "rope-dinov3"}) {
                out.add(Arguments.of(kind, e));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("rotary")
    void firstBlockScoresDependOnlyOnTheOffsetWhenPatchTokensAreEqual(String kind, ForwardEngine engine)
            throws IOException {
        ViTConfig config = ConfigCases.base().optPosEmb(kind).optClassToken(false).optPooling(Pooling.AVG).build();
        assertEquals(0, config.architecture().prefixTokens());
        int rows = 5;
        int cols = 6; // another grid than the configured 4x4
        float[] grey = new float[3 * rows * 8 * cols * 8];
        java.util.Arrays.fill(grey, 0.3f); // one colour: every patch token is the same vector
        PreprocessedImage uniform = new PreprocessedImage(grey, 3, rows * 8, cols * 8);
        try (InferenceModel m = load(config, engine)) {
            AttentionMaps a = m.attention().maps(List.of(uniform)).get(0);
            int n = rows * cols;
            assertEquals(n, a.tokens());
            for (int h = 0; h < a.heads(); h++) {
                // log a_ij - log a_ii = s_ij - s_ii, and s_ii (offset 0) is the same for every patch
                Map<List<Integer>, Double> byOffset = new HashMap<>();
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double score = Math.log(a.get(0, h, i, j)) - Math.log(a.get(0, h, i, i));
                        List<Integer> offset = List.of(j / cols - i / cols, j % cols - i % cols);
                        Double seen = byOffset.putIfAbsent(offset, score);
                        if (seen != null) {
                            assertEquals(seen, score, 1e-4, kind + " head " + h + " offset " + offset + " from patch " + i);
                        }
                        lo = Math.min(lo, score);
                        hi = Math.max(hi, score);
                    }
                }
                assertEquals((2 * rows - 1) * (2 * cols - 1), byOffset.size());
                assertTrue(hi - lo > 1e-2, kind + " head " + h + ": scores do not depend on the offset: " + (hi - lo));
            }
        }
    }
}
