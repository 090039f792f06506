package org.vit4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.infer.InferenceModel;
import org.vit4j.infer.Outcome;

/**
 * Turns the value of an input column into model input {@code (C, H, W)}, or into the reason it
 * cannot be, worded as {@code vit4j predict} words it.
 *
 * <ul>
 *   <li>{@code byte[]} (the {@code content} column of Spark's {@code binaryFile} source): decoded
 *       from memory by the model's {@link org.vit4j.image.ImageLoader};
 *   <li>a local path or a {@code file:} URI: decoded from the file by the same loader, exactly as
 *       {@code vit4j predict FILE} does (so the same checks and texts: missing, directory,
 *       unreadable, empty);
 *   <li>any other URI ({@code hdfs://}, {@code s3a://}): read whole through Hadoop's
 *       {@code FileSystem}, then decoded from memory.
 * </ul>
 */
final class ImageInputs {

    private ImageInputs() {}

    /**
     * Decodes and preprocesses one input.
     *
     * @param model the executor's model (its loader and preprocessor)
     * @param value {@code byte[]} content, or a path or URI as a {@code String}; may be null
     * @param name the name of the input in messages (its path)
     * @return model input {@code (C, H, W)}, or the reason there is none
     */
    static Outcome<PreprocessedImage> decode(InferenceModel model, Object value, String name) {
        if (value == null) {
            return Outcome.failed(name, "no image data (null)");
        }
        if (value instanceof byte[] bytes) {
            return model.read(bytes, name);
        }
        String s = value.toString();
        Path local = localPath(s);
        if (local != null) {
            return model.read(local, name);
        }
        try {
            return model.read(readHadoop(s), name);
        } catch (IOException | RuntimeException e) {
            return Outcome.failed(name, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * The local file an input names.
     *
     * @param s a plain path, or a URI or Hadoop path string
     * @return the path, the local file of a {@code file:} URI, or {@code null} for other schemes
     */
    static Path localPath(String s) {
        if (!ModelSource.hasScheme(s)) {
            return Path.of(s);
        }
        // Hadoop's Path accepts what binaryFile writes (spaces and non-ASCII letters unescaped)
        java.net.URI uri = new org.apache.hadoop.fs.Path(s).toUri();
        return "file".equalsIgnoreCase(uri.getScheme()) ? Paths.get(uri.getPath()) : null;
    }

    /** A failure worded for the output row as it is. */
    private static final class NotAnImage extends IOException {
        private static final long serialVersionUID = 1L;

        NotAnImage(String reason) {
            super(reason);
        }
    }

    private static byte[] readHadoop(String uri) throws IOException {
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = p.getFileSystem(new Configuration());
        FileStatus st;
        try {
            st = fs.getFileStatus(p);
        } catch (FileNotFoundException e) {
            throw new NotAnImage(org.vit4j.io.IoErrors.NO_SUCH_FILE);
        }
        if (st.isDirectory()) {
            throw new NotAnImage("is a directory, not an image file");
        }
        if (st.getLen() > Integer.MAX_VALUE - 8) {
            throw new NotAnImage("file is " + st.getLen() + " bytes, above the 2 GiB a single image can have");
        }
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new NotAnImage("cannot read file: " + e);
        }
    }
}
