package org.vit4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * One file a command writes, checked before any work so that a run never destroys what it reads
 * and never finds out at the end that its result cannot be saved:
 *
 * <ul>
 *   <li>an output that is one of the run's inputs (the same file by its file key, whatever the
 *       spelling: {@code ./x}, {@code x}, a link or a hard link to it) is refused;
 *   <li>an existing regular file is replaced only when {@code force} is given;
 *   <li>a symbolic link is written through: its final target is the file checked and replaced,
 *       the link stays;
 *   <li>a FIFO, a character device ({@code /dev/null}, a terminal), a descriptor link
 *       ({@code /dev/stdout}, {@code /proc/self/fd/N}) or {@code -} (standard output) is a
 *       <em>stream</em>: opened and written in place, never renamed over;
 *   <li>a directory, a missing parent directory, or a directory in which no file can be created is
 *       refused (by creating and deleting a probe file there, which is the only honest test: the
 *       permission bits say nothing to root, or on a read-only mount).
 * </ul>
 *
 * A regular file is written atomically ({@link AtomicFiles}): a temporary file beside the target,
 * renamed over it when complete.
 */
public final class OutputFile {

    /** The name of standard output as an output path. */
    public static final String STDOUT = "-";

    /** Mode bits of {@code unix:mode}: the file type field and the FIFO and character device types. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;

    private final String name;
    private final Path path;
    private final Path target;
    private final boolean stream;

    private OutputFile(String name, Path path, Path target, boolean stream) {
        this.name = name;
        this.path = path;
        this.target = target;
        this.stream = stream;
    }

    /**
     * Checks an output path against the rules above.
     *
     * @param name the path as the user gave it, or {@link #STDOUT}
     * @param force whether an existing regular file may be replaced
     * @param inputs the run's input files (directories and missing paths are ignored)
     * @return the output, ready to write
     * @throws RefusedOutputException if it must not or cannot be written
     */
    public static OutputFile of(String name, boolean force, Collection<Path> inputs) {
        if (STDOUT.equals(name)) {
            return new OutputFile(name, null, null, true);
        }
        Path path = Path.of(name);
        Path target = finalTarget(name, path);
        boolean viaDescriptor = throughProc(path);
        if (Files.exists(target)) {
            for (Path in : inputs) {
                if (sameFile(target, in)) {
                    throw new RefusedOutputException(name, "is also an input; write to another file");
                }
            }
            if (Files.isDirectory(target)) {
                throw new RefusedOutputException(name, "is a directory; name a file");
            }
            int type = fileType(target);
            if (viaDescriptor || type == S_IFIFO || type == S_IFCHR) {
                if (!Files.isWritable(path)) {
                    throw new RefusedOutputException(name, "permission denied");
                }
                return new OutputFile(name, path, target, true);
            }
            if (!Files.isRegularFile(target)) {
                throw new RefusedOutputException(name, "is not a regular file, a FIFO or a character device");
            }
            if (!force) {
                throw new RefusedOutputException(name, (target.equals(path) ? "" : "links to " + target + ", which ")
                        + "exists; add --force to replace it");
            }
        }
        requireWritableDirectory(name, target.toAbsolutePath().getParent());
        return new OutputFile(name, path, target, false);
    }

    /**
     * Refuses two outputs of one run that are the same file (one would silently replace the other).
     *
     * @param a the first output's option, e.g. {@code --out}
     * @param first the first output
     * @param b the second output's option, e.g. {@code --plot}
     * @param second the second output
     * @throws IllegalArgumentException if they are the same file
     */
    public static void requireDistinct(String a, OutputFile first, String b, OutputFile second) {
        if (first.path == null || second.path == null || first.stream || second.stream) {
            return;
        }
        if (first.target.toAbsolutePath().normalize().equals(second.target.toAbsolutePath().normalize())
                || sameFile(first.target, second.target)) {
            throw new IllegalArgumentException(a + " " + first.name + " and " + b + " " + second.name
                    + " name the same file; give two names");
        }
    }

    /** @return the path as the user gave it */
    public String name() {
        return name;
    }

    /** @return whether it is written in place (standard output, a FIFO, a device) rather than atomically */
    public boolean isStream() {
        return stream;
    }

    /** @return whether it is standard output ({@code -}) */
    public boolean isStdout() {
        return path == null;
    }

    /**
     * Writes the content: a stream is opened (a FIFO waits for its reader) and written in place;
     * a regular file is written atomically.
     *
     * @param writer produces the content
     * @param stdout where {@code -} goes (flushed, not closed)
     * @throws WriteFailedException if writing fails ({@code cannot write NAME: REASON})
     */
    public void write(AtomicFiles.Writer writer, OutputStream stdout) throws WriteFailedException {
        if (!stream) {
            try {
                AtomicFiles.write(target, writer);
            } catch (WriteFailedException e) {
                throw e;
            } catch (IOException e) {
                throw new WriteFailedException(name, IoErrors.reasonOf(e), e);
            }
            return;
        }
        try {
            if (path == null) {
                writer.write(stdout);
                stdout.flush();
            } else {
                // APPEND: a descriptor link to a file the shell opened keeps what was written before
                try (OutputStream os = Files.newOutputStream(path, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    writer.write(os);
                }
            }
        } catch (IOException e) {
            throw new WriteFailedException(name, IoErrors.reasonOf(e), e);
        }
    }

    /**
     * Writes bytes (see {@link #write(AtomicFiles.Writer, OutputStream)}).
     *
     * @param bytes the content
     * @param stdout where {@code -} goes
     * @throws WriteFailedException if writing fails
     */
    public void writeBytes(byte[] bytes, OutputStream stdout) throws WriteFailedException {
        write(os -> os.write(bytes), stdout);
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * Refuses a directory that does not exist, is not a directory, or holds no new file.
     *
     * @param name the output as the user named it (for the message)
     * @param dir the directory its file goes to
     * @throws RefusedOutputException if no file can be created there
     */
    static void requireWritableDirectory(String name, Path dir) {
        if (!Files.exists(dir)) {
            throw new RefusedOutputException(name, "directory " + dir + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new RefusedOutputException(name, dir + " is not a directory");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".vit4j-probe.", ".tmp"));
        } catch (FileSystemException e) {
            throw new RefusedOutputException(name, "cannot write in " + dir + ": " + IoErrors.reason(e));
        } catch (IOException e) {
            throw new RefusedOutputException(name, "cannot write in " + dir + ": " + IoErrors.reasonOf(e));
        }
    }

    /**
     * The file a path finally names: itself, or the end of its chain of symbolic links (which
     * need not exist: writing creates it).
     */
    static Path finalTarget(String name, Path path) {
        Path p = path;
        Set<Path> seen = new HashSet<>();
        while (Files.isSymbolicLink(p)) {
            if (!seen.add(p.toAbsolutePath().normalize())) {
                throw new RefusedOutputException(name, "symbolic link loop");
            }
            try {
                Path to = Files.readSymbolicLink(p);
                Path parent = p.toAbsolutePath().getParent();
                p = parent == null ? to : parent.resolve(to);
            } catch (IOException e) {
                throw new RefusedOutputException(name, "cannot read the symbolic link: " + IoErrors.reasonOf(e));
            }
        }
        return p;
    }

    /** Whether a link chain passes through {@code /proc} (a descriptor: {@code /dev/stdout}, {@code /proc/self/fd/1}). */
    private static boolean throughProc(Path path) {
        Path p = path.toAbsolutePath().normalize();
        for (int hops = 0; hops < 40; hops++) {
            if (p.startsWith("/proc")) {
                return true;
            }
            if (!Files.isSymbolicLink(p)) {
                return false;
            }
            try {
                p = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
            } catch (IOException e) {
                return false;
            }
        }
        return false;
    }

    private static int fileType(Path p) {
        try {
            return (Integer) Files.getAttribute(p, "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return 0; // no unix view: regular files and directories are still told apart
        }
    }

    /** Whether two paths name one existing file (by file key), following links. */
    static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
