package org.vit4j.image;

/**
 * An image refused by the pixel limit ({@link ImageLoader#getMaxPixels()}), read from its header
 * before any pixel is decoded: a request too large rather than a broken file ({@code vit4j serve}
 * answers it with 413, other unreadable bodies with 400).
 */
public final class ImageTooLargeException extends ImageLoadException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the refusal.
     *
     * @param source the file or other source, e.g. {@code "cat.jpg"}
     * @param reason the size and the limit
     */
    public ImageTooLargeException(String source, String reason) {
        super(source, reason);
    }
}
