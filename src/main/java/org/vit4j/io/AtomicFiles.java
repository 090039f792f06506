package org.vit4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes files so that the final name only ever holds a complete file: the bytes go to a
 * temporary file in the same directory, are forced to disk, and the temporary file is renamed
 * over the target. A crash or {@code kill -9} at any moment leaves either the old file or the new
 * one, never a partial one. A symbolic link is written through (its target replaced, the link
 * kept); the directory must exist (it is never created); failures are {@link WriteFailedException}s
 * naming the target.
 */
public final class AtomicFiles {

    private static final String TEMP_SUFFIX = ".tmp";

    private static String tempPrefix(Path target) {
        return "." + target.getFileName() + ".";
    }

    /**
     * Whether {@code file} is a temporary file that a write of {@code target} left behind (the
     * process died between writing and renaming it).
     *
     * @param file a file in the target's directory
     * @param target the path that write was for
     * @return true if the name is that of such a temporary file
     */
    public static boolean isLeftoverOf(Path file, Path target) {
        String name = file.getFileName().toString();
        return name.startsWith(tempPrefix(target)) && name.endsWith(TEMP_SUFFIX);
    }

    /** Writes the content of a file to a stream. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the content.
         *
         * @param out the stream (closed by the caller)
         * @throws IOException if writing fails
         */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {}

    /**
     * Writes {@code target} atomically.
     *
     * @param target the final path
     * @param writer produces the content
     * @throws IOException if writing or renaming fails ({@link WriteFailedException}); the target is then unchanged
     */
    public static void write(Path target, Writer writer) throws IOException {
        // a symbolic link is written through: its target is replaced, the link stays
        Path abs = OutputFile.finalTarget(target.toString(), target).toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp;
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d) && !Files.isDirectory(d)) {
                throw new WriteFailedException(target, d + " is not a directory", null);
            }
        }
        try {
            // a missing directory is an error, never created: a mistyped path must not become a new tree
            tmp = createTemp(abs, dir);
        } catch (FileSystemException e) {
            // the exception names the temporary file (or a parent), not the file the user asked for
            throw new WriteFailedException(target, IoErrors.reason(e), e);
        }
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream os = Channels.newOutputStream(ch);
                writer.write(os);
                os.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (WriteFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new WriteFailedException(target, IoErrors.reasonOf(e), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static Path createTemp(Path abs, Path dir) throws IOException {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                // createTempFile would make it owner-only (rw-------); the final file gets the usual rw-r--r--
                ? Files.createTempFile(dir, tempPrefix(abs), TEMP_SUFFIX, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-r--r--")))
                : Files.createTempFile(dir, tempPrefix(abs), TEMP_SUFFIX);
    }

    /**
     * Writes a UTF-8 text file atomically.
     *
     * @param target the final path
     * @param text the content
     * @throws IOException if writing fails
     */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, os -> os.write(bytes));
    }

    /**
     * Writes bytes atomically.
     *
     * @param target the final path
     * @param bytes the content
     * @throws IOException if writing fails
     */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, os -> os.write(bytes));
    }
}
