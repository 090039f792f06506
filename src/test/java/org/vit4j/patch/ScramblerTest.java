package org.vit4j.patch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.vit4j.image.PreprocessedImage;

/** Seeded permutations and block shuffling of {@link Scrambler}; parsing of {@link ShuffleGrid}. */
class ScramblerTest {

    @Test
    void permutationOfEightWithSeedOneIsFixed() {
        // Computed once with java.util.Random(1) + Fisher-Yates; the Java specification fixes
        // Random's algorithm, so this holds on every JVM and platform.
        assertArrayEquals(new int[] {2, 6, 7, 0, 3, 1, 4, 5}, Scrambler.permutation(8, 1));
        assertArrayEquals(new int[] {4, 3, 0, 6, 7, 2, 1, 5}, Scrambler.permutation(8, 2));
    }

    @ParameterizedTest
    @CsvSource({"1, 0", "2, 5", "4, 42", "16, 1", "64, 123456789", "196, -3"})
    void permutationIsAPermutationAndSeeded(int n, long seed) {
        int[] p = Scrambler.permutation(n, seed);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < n; i++) {
            assertEquals(i, sorted[i], "permutation of " + n + " misses " + i + ": " + Arrays.toString(p));
        }
        assertArrayEquals(p, Scrambler.permutation(n, seed));
        int[] inv = Scrambler.inverse(p);
        for (int i = 0; i < n; i++) {
            assertEquals(i, inv[p[i]]);
            assertEquals(i, p[inv[i]]);
        }
    }

    @Test
    void scramblingAPreprocessedImageMovesItsBlocksByTheSeedsPermutation() {
        // 1 channel, 2x4 pixels, a 1x2 grid: the blocks are the left and right 2x2 halves
        float[] px = {1, 2, 3, 4, 5, 6, 7, 8};
        ShuffleGrid grid = new ShuffleGrid(1, 2);
        long seed = 0;
        while (Scrambler.permutation(2, seed)[0] == 0) {
            seed++; // the first seed that swaps the halves
        }
        PreprocessedImage out = Scrambler.scramble(new PreprocessedImage(px, 1, 2, 4), grid, seed);
        assertArrayEquals(new float[] {3, 4, 1, 2, 7, 8, 5, 6}, out.data());
        assertEquals(2, out.height());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Scrambler.scramble(new PreprocessedImage(px, 1, 2, 4), new ShuffleGrid(1, 3), 0));
        assertEquals("shuffle grid 1x3 does not divide the image 2x4 into equal blocks", e.getMessage());
    }

    @Test
    void differentSeedsGiveDifferentPermutations() {
        assertFalse(Arrays.equals(Scrambler.permutation(64, 1), Scrambler.permutation(64, 2)));
        // an identity result for 64 blocks would mean nothing was shuffled
        int fixedPoints = 0;
        int[] p = Scrambler.permutation(64, 1);
        for (int i = 0; i < p.length; i++) {
            fixedPoints += p[i] == i ? 1 : 0;
        }
        assertTrue(fixedPoints < 10, "fixed points: " + fixedPoints);
    }

    @Test
    void imageSeedsAreDeterministicAndDistinct() {
        assertEquals(Scrambler.imageSeed(1, 0), Scrambler.imageSeed(1, 0));
        assertEquals(6685036501382267578L, Scrambler.imageSeed(1, 0));
        assertNotEquals(Scrambler.imageSeed(1, 0), Scrambler.imageSeed(1, 1));
        assertNotEquals(Scrambler.imageSeed(1, 0), Scrambler.imageSeed(2, 0));
    }

    @Test
    void outputBlockIIsInputBlockPermI() {
        // one channel 4x4, 2x2 grid of 2x2 blocks; block b holds the value b everywhere
        float[] img = {
            0, 0, 1, 1,
            0, 0, 1, 1,
            2, 2, 3, 3,
            2, 2, 3, 3,
        };
        float[] out = Scrambler.apply(img, 1, 4, 4, new ShuffleGrid(2, 2), new int[] {3, 0, 2, 1});
        assertArrayEquals(new float[] {
            3, 3, 0, 0,
            3, 3, 0, 0,
            2, 2, 1, 1,
            2, 2, 1, 1,
        }, out);
    }

    @Test
    void blocksMoveWithAllChannelsAndKeepTheirInside() {
        // 2 channels 2x4, grid 1x2: each block is 2x2 and must keep its inner pixel layout
        float[] img = {
            1, 2, 3, 4,
            5, 6, 7, 8,
            11, 12, 13, 14,
            15, 16, 17, 18,
        };
        float[] out = Scrambler.apply(img, 2, 2, 4, ShuffleGrid.parse("1x2"), new int[] {1, 0});
        assertArrayEquals(new float[] {
            3, 4, 1, 2,
            7, 8, 5, 6,
            13, 14, 11, 12,
            17, 18, 15, 16,
        }, out);
    }

    @Test
    void inverseUndoesApply() {
        Random r = new Random(3);
        float[] img = new float[3 * 32 * 48];
        for (int i = 0; i < img.length; i++) {
            img[i] = r.nextFloat();
        }
        ShuffleGrid g = new ShuffleGrid(4, 6);
        int[] perm = Scrambler.permutation(g.size(), 9);
        float[] s = Scrambler.apply(img, 3, 32, 48, g, perm);
        assertFalse(Arrays.equals(img, s));
        assertArrayEquals(img, Scrambler.apply(s, 3, 32, 48, g, Scrambler.inverse(perm)));
    }

    @Test
    void errorsNameTheNumbers() {
        float[] img = new float[32 * 32];
        IllegalArgumentException grid = assertThrows(IllegalArgumentException.class,
                () -> Scrambler.apply(img, 1, 32, 32, new ShuffleGrid(3, 3), Scrambler.permutation(9, 1)));
        assertEquals("shuffle grid 3x3 does not divide the image 32x32 into equal blocks", grid.getMessage());
        IllegalArgumentException len = assertThrows(IllegalArgumentException.class,
                () -> Scrambler.apply(img, 3, 32, 32, new ShuffleGrid(2, 2), Scrambler.permutation(4, 1)));
        assertEquals("image array has 1024 values, expected 3x32x32", len.getMessage());
        IllegalArgumentException perm = assertThrows(IllegalArgumentException.class,
                () -> Scrambler.apply(img, 1, 32, 32, new ShuffleGrid(2, 2), Scrambler.permutation(8, 1)));
        assertEquals("permutation has 8 entries for a 2x2 shuffle grid", perm.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"4x4, 4, 4", "' 2X3 ', 2, 3", "8, 8, 8", "14x14, 14, 14", "1x7, 1, 7"})
    void parsesGoodGrids(String text, int rows, int cols) {
        ShuffleGrid g = ShuffleGrid.parse(text);
        assertEquals(new ShuffleGrid(rows, cols), g);
        assertEquals(rows * cols, g.size());
        assertEquals(rows + "x" + cols, g.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4x", "x4", "abc", "4x4x4", "", "2.5x2", "4*4"})
    void refusesMalformedGrids(String text) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ShuffleGrid.parse(text));
        assertEquals("shuffle grid '" + text + "' is not of the form RxC, e.g. 4x4", e.getMessage());
    }

    @Test
    void refusesNonPositiveAndNullGrids() {
        assertEquals("shuffle grid needs positive rows and cols, got 0x4",
                assertThrows(IllegalArgumentException.class, () -> ShuffleGrid.parse("0x4")).getMessage());
        assertEquals("shuffle grid needs positive rows and cols, got -2x-2",
                assertThrows(IllegalArgumentException.class, () -> ShuffleGrid.parse("-2")).getMessage());
        assertEquals("shuffle grid 'null' is not of the form RxC, e.g. 4x4",
                assertThrows(IllegalArgumentException.class, () -> ShuffleGrid.parse(null)).getMessage());
    }
}
