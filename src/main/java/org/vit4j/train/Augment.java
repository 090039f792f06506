package org.vit4j.train;

import java.util.Random;
import org.vit4j.patch.ShuffleGrid;

/**
 * Training-time augmentation, applied to source pixels before the model's preprocessing (crop,
 * flip) or to the preprocessed image (scrambling).
 *
 * @param cropMinScale smallest crop area of torchvision's {@code RandomResizedCrop} (aspect ratio
 *     in [3/4, 4/3]); 0 turns cropping off
 * @param hflip flip horizontally with probability 1/2
 * @param scrambleProb probability of shuffling an image's blocks (patch scrambling as
 *     augmentation); 0 turns it off
 * @param scrambleGrid the shuffle grid used when scrambling
 * @param eraseProb probability of random erasing (Zhong et al. 2020, "Random Erasing Data
 *     Augmentation"): a rectangle of 2–33 % of the image, aspect ratio in [0.3, 1/0.3], is filled
 *     with uniform random values in [0, 1) per pixel and channel; timm's area and aspect bounds;
 *     0 turns it off
 */
public record Augment(double cropMinScale, boolean hflip, double scrambleProb, ShuffleGrid scrambleGrid,
        double eraseProb) {

    /** No augmentation. */
    public static final Augment NONE = new Augment(0, false, 0, null);

    /** Smallest and largest erased area, as a fraction of the image (timm {@code RandomErasing}). */
    static final double ERASE_MIN_AREA = 0.02;
    static final double ERASE_MAX_AREA = 1.0 / 3.0;
    /** Smallest erased aspect ratio; the largest is its inverse. */
    static final double ERASE_MIN_ASPECT = 0.3;

    /**
     * Crop, flip and scrambling, no erasing.
     *
     * @param cropMinScale see the record
     * @param hflip see the record
     * @param scrambleProb see the record
     * @param scrambleGrid see the record
     */
    public Augment(double cropMinScale, boolean hflip, double scrambleProb, ShuffleGrid scrambleGrid) {
        this(cropMinScale, hflip, scrambleProb, scrambleGrid, 0);
    }

    /**
     * Validates the numbers.
     *
     * @param cropMinScale see the record
     * @param hflip see the record
     * @param scrambleProb see the record
     * @param scrambleGrid see the record
     * @param eraseProb see the record
     */
    public Augment {
        if (cropMinScale < 0 || cropMinScale > 1) {
            throw new IllegalArgumentException("crop min scale must be in [0, 1], got " + cropMinScale);
        }
        if (scrambleProb < 0 || scrambleProb > 1) {
            throw new IllegalArgumentException("scramble probability must be in [0, 1], got " + scrambleProb);
        }
        if (scrambleProb > 0 && scrambleGrid == null) {
            throw new IllegalArgumentException("scrambling as augmentation needs a shuffle grid");
        }
        if (!(eraseProb >= 0 && eraseProb <= 1)) {
            throw new IllegalArgumentException("random erasing probability must be in [0, 1], got " + eraseProb);
        }
    }

    /**
     * Crops, flips and erases planar pixels, in that order.
     *
     * @param px the source pixels
     * @param rng this image's generator
     * @return new pixels (or {@code px} if nothing applies)
     */
    public ImageDataset.Pixels apply(ImageDataset.Pixels px, Random rng) {
        ImageDataset.Pixels out = px;
        if (cropMinScale > 0) {
            out = randomResizedCropBox(out, rng);
        }
        if (hflip && rng.nextBoolean()) {
            out = flip(out);
        }
        if (eraseProb > 0 && rng.nextDouble() < eraseProb) {
            out = randomErase(out, rng);
        }
        return out;
    }

    /**
     * timm {@code RandomErasing._erase} with Zhong et al.'s random fill: up to 10 tries to place a
     * rectangle of random area and log-uniform aspect ratio inside the image; unchanged if none fits.
     */
    static ImageDataset.Pixels randomErase(ImageDataset.Pixels px, Random rng) {
        int h = px.height();
        int w = px.width();
        double area = (double) h * w;
        double logLo = Math.log(ERASE_MIN_ASPECT);
        double logHi = -logLo;
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (ERASE_MIN_AREA + (ERASE_MAX_AREA - ERASE_MIN_AREA) * rng.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
            int eh = (int) Math.round(Math.sqrt(target * ratio));
            int ew = (int) Math.round(Math.sqrt(target / ratio));
            if (eh > 0 && ew > 0 && eh < h && ew < w) {
                int y0 = rng.nextInt(h - eh + 1);
                int x0 = rng.nextInt(w - ew + 1);
                float[] out = px.data().clone();
                for (int c = 0; c < px.channels(); c++) {
                    for (int y = y0; y < y0 + eh; y++) {
                        int row = (c * h + y) * w;
                        for (int x = x0; x < x0 + ew; x++) {
                            out[row + x] = rng.nextFloat();
                        }
                    }
                }
                return new ImageDataset.Pixels(out, px.channels(), h, w);
            }
        }
        return px;
    }

    /** torchvision {@code RandomResizedCrop.get_params}: 10 tries, then the whole image. */
    private ImageDataset.Pixels randomResizedCropBox(ImageDataset.Pixels px, Random rng) {
        int h = px.height();
        int w = px.width();
        double area = (double) h * w;
        double logLo = Math.log(3.0 / 4.0);
        double logHi = Math.log(4.0 / 3.0);
        for (int attempt = 0; attempt < 10; attempt++) {
            double target = area * (cropMinScale + (1 - cropMinScale) * rng.nextDouble());
            double ratio = Math.exp(logLo + (logHi - logLo) * rng.nextDouble());
            int cw = (int) Math.round(Math.sqrt(target * ratio));
            int ch = (int) Math.round(Math.sqrt(target / ratio));
            if (cw > 0 && ch > 0 && cw <= w && ch <= h) {
                int y0 = rng.nextInt(h - ch + 1);
                int x0 = rng.nextInt(w - cw + 1);
                return crop(px, y0, x0, ch, cw);
            }
        }
        return px;
    }

    static ImageDataset.Pixels crop(ImageDataset.Pixels px, int y0, int x0, int ch, int cw) {
        float[] out = new float[px.channels() * ch * cw];
        for (int c = 0; c < px.channels(); c++) {
            for (int y = 0; y < ch; y++) {
                System.arraycopy(
                        px.data(), (c * px.height() + y0 + y) * px.width() + x0, out, (c * ch + y) * cw, cw);
            }
        }
        return new ImageDataset.Pixels(out, px.channels(), ch, cw);
    }

    static ImageDataset.Pixels flip(ImageDataset.Pixels px) {
        int w = px.width();
        float[] out = new float[px.data().length];
        for (int row = 0; row < px.channels() * px.height(); row++) {
            for (int x = 0; x < w; x++) {
                out[row * w + x] = px.data()[row * w + w - 1 - x];
            }
        }
        return new ImageDataset.Pixels(out, px.channels(), px.height(), w);
    }
}
