package org.vit4j.reliability;

import static org.vit4j.reliability.HostileFiles.*;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The hostile-input corpus of {@link HostileInputsTest}, written to a directory for the Spark
 * tests: the same recipes (from {@link HostileFiles}), without the expectations (the Spark tests
 * compare with {@code vit4j predict} on the same files) and without the symbolic-link loop
 * (Spark's file listing is Hadoop's, which the CLI's directory walk does not share).
 */
public final class SparkCorpus {

    private SparkCorpus() {}

    /**
     * Writes the corpus.
     *
     * @param dir the directory (created)
     * @return the number of files written
     * @throws IOException if writing fails
     */
    public static int write(Path dir) throws IOException {
        BufferedImage noise = noise(48, 40, 1);
        byte[] png = encode(noise, "png");
        byte[] jpg = encode(noise(48, 40, 2), "jpg");
        int n = 0;
        n += put(dir, "good 1.png", png);
        n += put(dir, "good2.jpg", jpg);
        n += put(dir, "good3.bmp", encode(noise(20, 30, 3), "bmp"));
        n += put(dir, "one_pixel.png", encode(solid(1, 1, 0x3366CC), "png"));
        n += put(dir, "smaller_than_patch.png", encode(noise(7, 10, 4), "png"));
        n += put(dir, "aspect_1x4000.png", encode(noise(1, 4000, 5), "png"));
        n += put(dir, "gray16.png", encode(gray16(33, 21, 7), "png"));
        n += put(dir, "rgb16.png", encode(rgb16(noise), "png"));
        n += put(dir, "palette.png", encode(palette(30, 20), "png"));
        n += put(dir, "gray_alpha.png", encode(grayAlpha(25, 17), "png"));
        n += put(dir, "multipage.tif", multiPageTiff(noise, noise(48, 40, 9)));
        n += put(dir, "animated.gif", animatedGif(solid(16, 16, 0xFF0000), solid(16, 16, 0x0000FF)));
        n += put(dir, "ünïcödé dir/fîlé 1.png", encode(noise(32, 32, 10), "png"));
        for (String f : List.of("cmyk.jpg", "gray16.tif", "palette_trns.png", "two_frames.gif")) {
            n += put(dir, "fixtures/" + f, fixture(f));
        }
        n += put(dir, "empty.png", new byte[0]);
        n += put(dir, "text.jpg", "this is plain text, not a JPEG\n".getBytes(StandardCharsets.UTF_8));
        n += put(dir, "ünïcödé dir/brökén 2.jpg", "nope".getBytes(StandardCharsets.UTF_8));
        n += put(dir, "random.gif", randomBytes(300, 12));
        n += put(dir, "truncated.jpg", Arrays.copyOf(jpg, jpg.length / 2));
        n += put(dir, "truncated.png", Arrays.copyOf(png, png.length / 2));
        n += put(dir, "signature_only.png", Arrays.copyOf(png, 8));
        n += put(dir, "soi_only.jpg", new byte[] {(byte) 0xFF, (byte) 0xD8});
        n += put(dir, "bad_huffman.jpg", corruptHuffman(jpg));
        n += put(dir, "bomb.png", pngHeader(100_000, 100_000));
        n += put(dir, "bomb.tif", tiffHeader(100_000, 100_000));
        n += put(dir, "bomb.jpg", jpegSize(jpg, 65_535, 65_535));
        n += put(dir, "bomb.bmp", bmpHeader(100_000, 100_000));
        n += put(dir, "zero_size.png", pngHeader(0, 7));
        n += put(dir, "no_pixels.png", pngHeader(64, 64));
        n += put(dir, "truncated.gif", truncate(encode(solid(40, 40, 0x00FF00), "gif"), 0.5));
        n += put(dir, "tiff_strip_beyond_eof.tif", tiffHeader(64, 64));
        n += put(dir, "bad_crc.png", badCrc(png));
        return n;
    }

    private static int put(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return 1;
    }
}
