package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link IdxFile}, {@link FashionMnist} and {@link Subset} on files written by the test. */
class DataTest {

    @TempDir
    Path tmp;

    @Test
    void readsPlainAndGzipIdx() throws IOException {
        byte[] data = {0, 1, 2, (byte) 255, 127, (byte) 128};
        byte[] file = TinyFashion.idx(data, 1, 2, 3);
        Path plain = tmp.resolve("x-idx3-ubyte");
        Path gz = tmp.resolve("x-idx3-ubyte.gz");
        Files.write(plain, file);
        Files.write(gz, TinyFashion.gzip(file));
        for (Path p : new Path[] {plain, gz}) {
            IdxFile f = IdxFile.read(p);
            assertArrayEquals(new int[] {1, 2, 3}, f.dims(), p.toString());
            assertArrayEquals(data, f.data(), p.toString());
        }
    }

    @Test
    void truncatedIdxIsRefused() throws IOException {
        byte[] file = TinyFashion.idx(new byte[8], 2, 2, 2);
        Path p = tmp.resolve("short.gz");
        Files.write(p, TinyFashion.gzip(Arrays.copyOf(file, file.length - 3)));
        IOException e = assertThrows(IOException.class, () -> IdxFile.read(p));
        assertEquals(p + ": truncated IDX file", e.getMessage());
        // truncated inside the header, too
        Path h = tmp.resolve("header");
        Files.write(h, Arrays.copyOf(file, 6));
        assertEquals(h + ": truncated IDX file", assertThrows(IOException.class, () -> IdxFile.read(h)).getMessage());
    }

    @Test
    void badMagicAndRankAreRefused() throws IOException {
        byte[] file = TinyFashion.idx(new byte[4], 2, 2);
        file[2] = 0x0D; // float data type
        Path p = tmp.resolve("float");
        Files.write(p, file);
        assertEquals(p + ": not an unsigned-byte IDX file (magic 0xd02)",
                assertThrows(IOException.class, () -> IdxFile.read(p)).getMessage());
        Path r = tmp.resolve("rank0");
        Files.write(r, new byte[] {0, 0, 8, 0});
        assertEquals(r + ": IDX rank 0 not supported",
                assertThrows(IOException.class, () -> IdxFile.read(r)).getMessage());
    }

    @Test
    void loadsFashionMnistFromADirectory() throws IOException {
        TinyFashion.write(tmp, 64, 32);
        FashionMnist train = FashionMnist.load(tmp, true);
        FashionMnist test = FashionMnist.load(tmp, false);
        assertEquals(64, train.size());
        assertEquals(32, test.size());
        assertEquals("fashion-mnist:train (64 images)", train.describe());
        assertEquals("fashion-mnist:test (32 images)", test.describe());
        assertEquals(10, train.labels().size());
        assertEquals("Ankle boot", train.labels().get(9));
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        for (int i = 0; i < 64; i++) {
            assertEquals(i % 10, train.label(i));
        }
        // image 13 is class 3: a bar at rows 8-9; pixels are bytes / 255
        ImageDataset.Pixels px = train.pixels(13);
        assertEquals(1, px.channels());
        assertEquals(28, px.height());
        byte[] raw = train.rawImage(13);
        for (int i = 0; i < raw.length; i++) {
            assertEquals((raw[i] & 0xff) / 255f, px.data()[i]);
            int y = i / 28;
            boolean bar = y == 8 || y == 9;
            assertTrue(bar ? (raw[i] & 0xff) >= 200 : (raw[i] & 0xff) < 40, "pixel " + i);
        }
    }

    @Test
    void missingFilesSayHowToInstallThem() {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(tmp, true));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte(.gz) not found in " + tmp), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void labelCountAndRangeAreChecked() throws IOException {
        TinyFashion.write(tmp, 20, 10);
        Path lab = tmp.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(lab, TinyFashion.gzip(TinyFashion.idx(new byte[9], 9)));
        assertEquals(lab + ": 9 labels for 10 images",
                assertThrows(IOException.class, () -> FashionMnist.load(tmp, false)).getMessage());
        byte[] bad = new byte[10];
        bad[4] = 10;
        Files.write(lab, TinyFashion.gzip(TinyFashion.idx(bad, 10)));
        assertEquals(lab + ": label 10 is outside 0..9",
                assertThrows(IOException.class, () -> FashionMnist.load(tmp, false)).getMessage());
    }

    @Test
    void subsetSplitIsASeededPartition() throws IOException {
        TinyFashion.write(tmp, 50, 10);
        FashionMnist all = FashionMnist.load(tmp, true);
        Subset[] parts = Subset.split(all, 12, 7);
        assertEquals(38, parts[0].size());
        assertEquals(12, parts[1].size());
        Set<String> seen = new HashSet<>();
        for (Subset s : parts) {
            for (int i = 0; i < s.size(); i++) {
                seen.add(Arrays.toString(s.pixels(i).data()));
            }
        }
        assertEquals(50, seen.size(), "the two parts are disjoint and cover every image");
        Subset[] again = Subset.split(all, 12, 7);
        Subset[] other = Subset.split(all, 12, 8);
        boolean differs = false;
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(parts[1].pixels(i).data(), again[1].pixels(i).data());
            differs |= !Arrays.equals(parts[1].pixels(i).data(), other[1].pixels(i).data());
        }
        assertTrue(differs, "another seed holds out other images");
        assertEquals("validation size 50 must be in [0, 50)",
                assertThrows(IllegalArgumentException.class, () -> Subset.split(all, 50, 1)).getMessage());
    }

    @Test
    void firstImagesAreAPrefixInOrderWithTheirOwnFingerprint() throws IOException {
        TinyFashion.write(tmp, 50, 10);
        FashionMnist all = FashionMnist.load(tmp, true);
        Subset first = Subset.first(all, 7);
        assertEquals(7, first.size());
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(all.pixels(i).data(), first.pixels(i).data());
            assertEquals(all.label(i), first.label(i));
        }
        assertEquals("first 7 images of " + all.describe(), first.describe());
        assertEquals(first.fingerprint(), Subset.first(all, 7).fingerprint());
        assertNotEquals(first.fingerprint(), Subset.first(all, 8).fingerprint());
        assertNotEquals(all.fingerprint(), Subset.first(all, 50).fingerprint(), "a subset names itself, even of all images");
        assertEquals("subset size 0 must be in [1, 50] (" + all.describe() + ")",
                assertThrows(IllegalArgumentException.class, () -> Subset.first(all, 0)).getMessage());
        assertEquals("subset size 51 must be in [1, 50] (" + all.describe() + ")",
                assertThrows(IllegalArgumentException.class, () -> Subset.first(all, 51)).getMessage());
    }

    @Test
    void augmentFlipAndCropByHand() {
        ImageDataset.Pixels px = new ImageDataset.Pixels(new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, Augment.flip(px).data());
        ImageDataset.Pixels c = Augment.crop(px, 1, 1, 1, 2);
        assertArrayEquals(new float[] {5, 6}, c.data());
        assertEquals(1, c.height());
        assertEquals(2, c.width());
        assertEquals(px, Augment.NONE.apply(px, new Random(1)));
        assertEquals("scrambling as augmentation needs a shuffle grid",
                assertThrows(IllegalArgumentException.class, () -> new Augment(0, false, 0.5, null)).getMessage());
    }

    @Test
    void randomErasingFillsOneRectangleOfTheAllowedAreaAndAspect() {
        int h = 28;
        int w = 28;
        float[] flat = new float[h * w];
        java.util.Arrays.fill(flat, -1f); // outside [0, 1): erased pixels are the ones in [0, 1)
        ImageDataset.Pixels px = new ImageDataset.Pixels(flat, 1, h, w);
        Random rng = new Random(3);
        int erasedImages = 0;
        for (int trial = 0; trial < 200; trial++) {
            ImageDataset.Pixels out = Augment.randomErase(px, rng);
            int y0 = h;
            int y1 = -1;
            int x0 = w;
            int x1 = -1;
            int count = 0;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = out.data()[y * w + x];
                    if (v != -1f) {
                        assertTrue(v >= 0f && v < 1f, "fill value " + v);
                        count++;
                        y0 = Math.min(y0, y);
                        y1 = Math.max(y1, y);
                        x0 = Math.min(x0, x);
                        x1 = Math.max(x1, x);
                    }
                }
            }
            if (count == 0) {
                continue;
            }
            erasedImages++;
            int eh = y1 - y0 + 1;
            int ew = x1 - x0 + 1;
            assertEquals(eh * ew, count, "one solid rectangle");
            // sides are rounded from the drawn area and aspect: allow half a pixel per side
            assertTrue((eh + 0.5) * (ew + 0.5) >= Augment.ERASE_MIN_AREA * h * w, eh + "x" + ew);
            assertTrue((eh - 0.5) * (ew - 0.5) <= Augment.ERASE_MAX_AREA * h * w, eh + "x" + ew);
            assertTrue((eh + 0.5) / (ew - 0.5) >= Augment.ERASE_MIN_ASPECT, eh + "x" + ew);
            assertTrue((eh - 0.5) / (ew + 0.5) <= 1 / Augment.ERASE_MIN_ASPECT, eh + "x" + ew);
        }
        assertTrue(erasedImages > 180, "10 tries fit a rectangle almost always: " + erasedImages);
        assertArrayEquals(flat, px.data(), 0f, "the input is not modified");
    }

    @Test
    void randomErasingHappensWithItsProbabilityAndIsSeeded() {
        ImageDataset.Pixels px = new ImageDataset.Pixels(new float[28 * 28], 1, 28, 28);
        Augment half = new Augment(0, false, 0, null, 0.5);
        int changed = 0;
        Random rng = new Random(4);
        for (int i = 0; i < 1000; i++) {
            if (half.apply(px, rng) != px) {
                changed++;
            }
        }
        assertTrue(changed > 440 && changed < 560, "erased " + changed + " of 1000 at p = 0.5");
        assertArrayEquals(half.apply(px, new Random(9)).data(), half.apply(px, new Random(9)).data(), 0f);
        assertEquals(px, new Augment(0, false, 0, null, 0).apply(px, new Random(1)));
        assertEquals("random erasing probability must be in [0, 1], got 1.5", assertThrows(
                IllegalArgumentException.class, () -> new Augment(0, false, 0, null, 1.5)).getMessage());
    }
}
