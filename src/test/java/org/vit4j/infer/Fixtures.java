package org.vit4j.infer;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;

/** Small models, generated pictures and NDManager bookkeeping for the infer tests. */
final class Fixtures {

    /** MICRO (64 px grey, patch 16, width 32, depth 2) with a class token and one register. */
    static final ViTConfig MICRO = Variant.MICRO.toBuilder().optRegisterTokens(1).build();

    private Fixtures() {}

    /**
     * Saves a MICRO model with randomized (O(1)-influence) weights.
     *
     * @param dir where to save
     * @param seed weight seed
     * @return {@code dir}
     */
    static Path savedModel(Path dir, long seed) throws IOException {
        try (VitModel model = TestModels.create(MICRO, seed)) {
            model.save(dir);
        }
        return dir;
    }

    /**
     * Seeded pictures of different sizes, kinds (RGB, grey, ARGB) and contents: noise, gradients
     * and stripes.
     *
     * @param count how many
     * @param seed seed
     * @return the pictures
     */
    static List<BufferedImage> pictures(int count, long seed) {
        Random r = new Random(seed);
        int[][] sizes = {{64, 64}, {28, 28}, {100, 40}, {33, 71}, {16, 16}, {128, 96}};
        int[] types = {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_ARGB};
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int w = sizes[i % sizes.length][0];
            int h = sizes[i % sizes.length][1];
            BufferedImage img = new BufferedImage(w, h, types[i % types.length]);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int v = switch (i % 3) {
                        case 0 -> r.nextInt(256); // noise
                        case 1 -> (x * 255) / Math.max(1, w - 1); // horizontal gradient
                        default -> ((y / 4) % 2) * 255; // stripes
                    };
                    int g = (v + 97 * i) & 0xFF;
                    img.setRGB(x, y, 0xFF000000 | v << 16 | g << 8 | (255 - v));
                }
            }
            out.add(img);
        }
        return out;
    }

    /** @return a uniform grey picture */
    static BufferedImage grey(int width, int height, int value) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                img.setRGB(x, y, 0xFF000000 | value << 16 | value << 8 | value);
            }
        }
        return img;
    }

    /**
     * A DJL image that is not backed by a {@link BufferedImage} (as OpenCV's are): it only answers
     * {@code getWrappedImage}, {@code getWidth/Height} and {@code toNDArray}, with the pixels of
     * {@code picture} as {@code (H, W, 3)} uint8.
     */
    static Image foreignImage(BufferedImage picture) {
        return (Image) Proxy.newProxyInstance(
                Fixtures.class.getClassLoader(), new Class<?>[] {Image.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getWrappedImage":
                            return "not a BufferedImage";
                        case "getWidth":
                            return picture.getWidth();
                        case "getHeight":
                            return picture.getHeight();
                        case "toNDArray":
                            int w = picture.getWidth();
                            int h = picture.getHeight();
                            byte[] hwc = new byte[h * w * 3];
                            for (int y = 0; y < h; y++) {
                                for (int x = 0; x < w; x++) {
                                    int rgb = picture.getRGB(x, y);
                                    int o = (y * w + x) * 3;
                                    hwc[o] = (byte) (rgb >> 16);
                                    hwc[o + 1] = (byte) (rgb >> 8);
                                    hwc[o + 2] = (byte) rgb;
                                }
                            }
                            NDManager m = (NDManager) args[0];
                            return m.create(ByteBuffer.wrap(hwc), new Shape(h, w, 3),
                                    DataType.UINT8);
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    private static final Pattern RESOURCES = Pattern.compile("Resource size: (\\d+)");

    /**
     * What a manager holds: {@code [arrays in it and all its sub-managers (recursive, DJL's
     * getManagedArrays), its direct resources (arrays and open sub-managers, from its toString)]}.
     */
    static long[] census(NDManager manager) {
        BaseNDManager base = (BaseNDManager) manager;
        Matcher m = RESOURCES.matcher(base.toString());
        if (!m.find()) {
            throw new AssertionError("no resource size in " + base);
        }
        return new long[] {base.getManagedArrays().size(), Long.parseLong(m.group(1))};
    }
}
