package org.vit4j.cli;

import org.vit4j.image.ImageLoader;
import picocli.CommandLine.Option;

/** {@code --max-pixels}: the decoder's pixel limit, for the commands that read image files. */
final class PixelLimit {

    @Option(names = "--max-pixels", paramLabel = "N", converter = Converters.PositiveLong.class,
            description = "Refuse images with more than N pixels, read from the header before decoding"
                    + " (default: " + ImageLoader.DEFAULT_MAX_PIXELS + ", Pillow's limit).")
    Long maxPixels;

    /** @return the limit in force */
    long value() {
        return maxPixels == null ? ImageLoader.DEFAULT_MAX_PIXELS : maxPixels;
    }

    /**
     * A loader with this limit.
     *
     * @param channels 1 or 3
     * @return the loader
     */
    ImageLoader loader(int channels) {
        return ImageLoader.builder().optChannels(channels).optMaxPixels(value()).build();
    }
}
