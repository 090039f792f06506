package org.vit4j.infer;

import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.vit4j.image.PreprocessedImage;

/**
 * Preprocessed images stacked into one row-major NCHW array.
 *
 * @param data {@code B·C·H·W} values
 * @param shape {@code (B, C, H, W)}
 */
record Batch(float[] data, Shape shape) {

    /**
     * Stacks images of one size.
     *
     * @param images at least one image, all {@code (C, H, W)} alike
     * @return the batch
     * @throws IllegalArgumentException if the list is empty or the sizes differ, with both sizes
     */
    static Batch of(List<PreprocessedImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("a batch needs at least one image, got none");
        }
        PreprocessedImage first = images.get(0);
        int per = first.data().length;
        float[] batch = new float[per * images.size()];
        for (int i = 0; i < images.size(); i++) {
            PreprocessedImage p = images.get(i);
            if (p.channels() != first.channels() || p.height() != first.height() || p.width() != first.width()) {
                throw new IllegalArgumentException(
                        "images of one batch must share a size: image 0 is " + first.channels() + "x"
                                + first.height() + "x" + first.width() + ", image " + i + " is "
                                + p.channels() + "x" + p.height() + "x" + p.width() + " (C x H x W)");
            }
            System.arraycopy(p.data(), 0, batch, i * per, per);
        }
        return new Batch(batch, new Shape(images.size(), first.channels(), first.height(), first.width()));
    }

    /**
     * Runs {@code run} once per group of images of one size (in order of first appearance) and
     * puts the results back in the images' order: for policies that keep the image's own size. The
     * one place where images are grouped by size; every list method of the views goes through it.
     *
     * @param images model inputs, of any sizes
     * @param run one forward pass over images of one size, one result per image
     * @param <R> the result per image
     * @return one result per image, in order
     */
    static <R> List<R> bySize(List<PreprocessedImage> images, Function<List<PreprocessedImage>, List<R>> run) {
        if (images.isEmpty()) {
            return List.of();
        }
        Map<List<Integer>, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i++) {
            PreprocessedImage p = images.get(i);
            groups.computeIfAbsent(List.of(p.channels(), p.height(), p.width()), k -> new ArrayList<>()).add(i);
        }
        List<R> out = new ArrayList<>(Collections.nCopies(images.size(), null));
        for (List<Integer> idx : groups.values()) {
            List<R> r = run.apply(idx.stream().map(images::get).toList());
            for (int j = 0; j < idx.size(); j++) {
                out.set(idx.get(j), r.get(j));
            }
        }
        return out;
    }
}
