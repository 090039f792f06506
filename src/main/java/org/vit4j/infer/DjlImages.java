package org.vit4j.infer;

import ai.djl.modality.cv.Image;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.awt.image.BufferedImage;
import java.util.Objects;

/** Turns a DJL {@link Image} into the {@link BufferedImage} vit4j's preprocessing reads. */
final class DjlImages {

    private DjlImages() {}

    /**
     * The picture behind a DJL image: the wrapped {@link BufferedImage} itself (DJL's default
     * {@code BufferedImageFactory}), or for any other factory (OpenCV, ...) an RGB copy of its
     * pixels, so every factory gives the same numbers.
     *
     * @param image the DJL image
     * @param scratch manager for the temporary pixel array (closed by the caller)
     * @return the picture
     */
    static BufferedImage toBufferedImage(Image image, NDManager scratch) {
        Objects.requireNonNull(image, "image");
        Object wrapped = image.getWrappedImage();
        if (wrapped instanceof BufferedImage) {
            return (BufferedImage) wrapped;
        }
        NDArray hwc = image.toNDArray(scratch, Image.Flag.COLOR); // (H, W, 3) uint8
        Shape s = hwc.getShape();
        if (s.dimension() != 3 || s.get(2) != 3) {
            throw new IllegalArgumentException("DJL image gave pixels of shape " + s + ", expected (H, W, 3)");
        }
        int h = (int) s.get(0);
        int w = (int) s.get(1);
        int[] v = hwc.toType(DataType.INT32, false).toIntArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] rgb = new int[w * h];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (v[3 * i] & 0xFF) << 16 | (v[3 * i + 1] & 0xFF) << 8 | (v[3 * i + 2] & 0xFF);
        }
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }
}
