package org.vit4j.image;

import java.io.IOException;
import java.util.Objects;

/**
 * A typed failure to load or size an image: the message is always {@code "<source>: <reason>"},
 * for example {@code "cat.jpg: image is 100000x100000 = 10000000000 pixels, above the limit of
 * 89478485 (raise the limit with --max-pixels, or ImageLoader.Builder.optMaxPixels)"}.
 *
 * <p>{@link ImageTooLargeException}, a subclass, is the refusal of the pixel limit.
 *
 * <p>The source is the file name (or the name given with in-memory bytes) and the reason says
 * what is wrong with the numbers involved, so the message can be shown to a user as it is.
 */
public class ImageLoadException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file or other source that failed. */
    private final String source;
    /** Why it failed, without the source prefix. */
    private final String reason;

    /**
     * Creates an exception for {@code source} failing for {@code reason}.
     *
     * @param source the file or other source that failed, e.g. {@code "cat.jpg"}
     * @param reason why it failed, with the numbers involved
     */
    public ImageLoadException(String source, String reason) {
        this(source, reason, null);
    }

    /**
     * Creates an exception for {@code source} failing for {@code reason}, caused by {@code cause}.
     *
     * @param source the file or other source that failed, e.g. {@code "cat.jpg"}
     * @param reason why it failed, with the numbers involved
     * @param cause the underlying exception, may be {@code null}
     */
    public ImageLoadException(String source, String reason, Throwable cause) {
        super(Objects.requireNonNull(source, "source") + ": " + Objects.requireNonNull(reason, "reason"),
                cause);
        this.source = source;
        this.reason = reason;
    }

    /**
     * Returns the file or other source that failed.
     *
     * @return the source, e.g. {@code "cat.jpg"}
     */
    public String getSource() {
        return source;
    }

    /**
     * Returns why loading failed, without the source prefix.
     *
     * @return the reason
     */
    public String getReason() {
        return reason;
    }
}
