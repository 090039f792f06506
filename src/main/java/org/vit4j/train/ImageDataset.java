package org.vit4j.train;

import java.io.IOException;
import java.util.List;

/**
 * Labelled images, read by index. Pixels come as planar {@code (C, H, W)} floats in [0, 1]; the
 * model's {@link org.vit4j.image.ImagePreprocessor} sizes and normalizes them, the same code path
 * as inference.
 */
public interface ImageDataset {

    /** @return number of images */
    int size();

    /** @return class names, index = class */
    List<String> labels();

    /**
     * @param index image index
     * @return its class
     */
    int label(int index);

    /**
     * Reads one image.
     *
     * @param index image index
     * @return the pixels
     * @throws IOException if the image cannot be read
     */
    Pixels pixels(int index) throws IOException;

    /**
     * The name of one image in messages: its file where it has one.
     *
     * @param index image index
     * @return e.g. {@code data/bag/zero.png}, or {@code image 12}
     */
    default String name(int index) {
        return "image " + index;
    }

    /** @return a short description for logs, e.g. {@code fashion-mnist:test (10000 images)} */
    String describe();

    /**
     * An identity of the data for provenance: equal for the same images and labels in the same
     * order, so a run's {@code train.json} tells which data it saw.
     *
     * @return a SHA-256 in hex, or null if this data set cannot say
     * @throws IOException if the data cannot be read
     */
    default String fingerprint() throws IOException {
        return null;
    }

    /**
     * Planar pixels in [0, 1].
     *
     * @param data {@code (C, H, W)} row-major
     * @param channels C
     * @param height H
     * @param width W
     */
    record Pixels(float[] data, int channels, int height, int width) {}
}
