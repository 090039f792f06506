package org.vit4j.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Messages for file-system errors that name the file and the reason: Java's
 * {@link FileSystemException}s often carry only the path ({@code NoSuchFileException: x.npy}),
 * which alone tells a user nothing.
 */
public final class IoErrors {

    /**
     * The words for a path that names nothing, wherever vit4j finds it: the library's image loader,
     * the command line's inputs and options, the Spark job's rows.
     */
    public static final String NO_SUCH_FILE = "no such file or directory";

    /** The words for a file or directory that cannot be read or written for its permissions. */
    public static final String PERMISSION_DENIED = "permission denied";

    private IoErrors() {}

    /**
     * Describes an I/O error: {@code FILE: REASON} for file-system errors, the message otherwise.
     *
     * @param e the error
     * @return e.g. {@code missing.npy: no such file or directory}
     */
    public static String describe(IOException e) {
        if (e instanceof FileSystemException f) {
            String file = f.getFile() == null ? "" : f.getFile();
            String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
            return file + other + ": " + reason(f);
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /**
     * The reason alone, in the words of {@code ls} and {@code cp}.
     *
     * @param e a file-system error
     * @return e.g. {@code permission denied}
     */
    public static String reason(FileSystemException e) {
        if (e instanceof NoSuchFileException) {
            return NO_SUCH_FILE;
        }
        if (e instanceof AccessDeniedException) {
            return PERMISSION_DENIED;
        }
        if (e instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileSystemLoopException) {
            return "symbolic link loop";
        }
        return e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
    }

    /**
     * The reason of any I/O error, in those words: a file-system error's {@link #reason}, else the
     * operating system's message with a lower-case first letter ({@code no space left on device}).
     *
     * @param e the error
     * @return the reason
     */
    public static String reasonOf(IOException e) {
        if (e instanceof FileSystemException f) {
            return reason(f);
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))
                ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }
}
