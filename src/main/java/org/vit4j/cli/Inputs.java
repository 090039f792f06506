package org.vit4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.vit4j.image.ImageLoader;
import org.vit4j.io.IoErrors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Expands command-line paths into inputs: files as given, directories searched recursively for
 * image files (sorted), {@code -} for paths on stdin. Problems (missing path, empty directory,
 * symlink loop) become failed inputs, so the run goes on and reports them.
 */
final class Inputs {

    /** One input: a path to predict, or a problem to report. */
    record Input(String name, Path path, String error) {}

    private Inputs() {}

    /**
     * The run's inputs, listed before any work so that an output among them can be refused: the
     * images the PATH arguments name, or none when the batch comes from a tensor file.
     *
     * @param spec the command, for the usage error
     * @param paths the PATH arguments
     * @param tensor the --tensor file, or null
     * @param nulSeparated whether stdin's paths are NUL-separated
     * @return the inputs in order
     * @throws IOException if stdin cannot be read
     */
    static List<Input> listed(CommandSpec spec, List<String> paths, Path tensor, boolean nulSeparated)
            throws IOException {
        List<Input> inputs = tensor != null ? List.of() : expand(paths, System.in, nulSeparated);
        if (tensor == null && inputs.isEmpty()) {
            throw Usage.error(spec, "PATH -: no paths on standard input");
        }
        return inputs;
    }

    /**
     * Every file a run reads, for the output rules: its listed images and its tensor file.
     *
     * @param inputs the listed inputs
     * @param tensor the --tensor file, or null
     * @return the paths
     */
    static List<Path> read(List<Input> inputs, Path tensor) {
        List<Path> read = new ArrayList<>();
        inputs.forEach(i -> read.add(i.path()));
        if (tensor != null) {
            read.add(tensor);
        }
        return read;
    }

    /**
     * Expands the arguments.
     *
     * @param args paths, or {@code -} for paths on stdin
     * @param stdin where {@code -} reads from
     * @param nulSeparated stdin's paths end with NUL ({@code find -print0}), taken as they are;
     *     otherwise one per line, stripped, blank lines skipped
     * @return the inputs, in order
     * @throws IOException if stdin cannot be read
     */
    static List<Input> expand(List<String> args, InputStream stdin, boolean nulSeparated) throws IOException {
        List<Input> out = new ArrayList<>();
        for (String a : args) {
            if ("-".equals(a) && nulSeparated) {
                for (String name : new String(stdin.readAllBytes(), StandardCharsets.UTF_8).split("\0")) {
                    if (!name.isEmpty()) {
                        addPath(name, out);
                    }
                }
            } else if ("-".equals(a)) {
                BufferedReader r = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8));
                for (String line; (line = r.readLine()) != null; ) {
                    if (!line.isBlank()) {
                        addPath(line.strip(), out);
                    }
                }
            } else {
                addPath(a, out);
            }
        }
        return out;
    }

    private static void addPath(String name, List<Input> out) {
        Path p = Path.of(name);
        if (!Files.exists(p)) {
            out.add(new Input(name, p, Files.isSymbolicLink(p) ? brokenLink(p) : IoErrors.NO_SUCH_FILE));
        } else if (Files.isDirectory(p)) {
            walk(name, p, out);
        } else {
            out.add(new Input(name, p, null));
        }
    }

    /** Why a symbolic link cannot be followed: it loops, or its target is missing. */
    static String brokenLink(Path link) {
        try {
            Files.readAttributes(link, BasicFileAttributes.class);
            return "cannot follow the symbolic link";
        } catch (NoSuchFileException e) {
            String to;
            try {
                to = " to " + Files.readSymbolicLink(link);
            } catch (IOException ex) {
                to = "";
            }
            return "dangling symbolic link" + to;
        } catch (FileSystemException e) {
            return e.getReason() != null && e.getReason().contains("symbolic links") ? "symbolic link loop" : IoErrors.reason(e);
        } catch (IOException e) {
            return "cannot follow the symbolic link: " + e.getMessage();
        }
    }

    private static void walk(String name, Path dir, List<Input> out) {
        List<Input> found = new ArrayList<>();
        try {
            Files.walkFileTree(dir, EnumSet.of(FileVisitOption.FOLLOW_LINKS), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                            if (attrs.isRegularFile() && ImageLoader.isImageFile(f)) {
                                found.add(new Input(f.toString(), f, null));
                            } else if (attrs.isSymbolicLink()) {
                                // the walk could not follow it: say so rather than leave it out unseen
                                found.add(new Input(f.toString(), f, brokenLink(f) + ", skipped"));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path f, IOException e) {
                            String why = e instanceof FileSystemLoopException ? "symbolic link loop, skipped"
                                    : "cannot read: " + e.getMessage();
                            found.add(new Input(f.toString(), f, why));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            out.add(new Input(name, dir, "cannot read directory: " + e.getMessage()));
            return;
        }
        found.sort((a, b) -> a.name().compareTo(b.name()));
        if (found.stream().noneMatch(i -> i.error() == null)) {
            found.add(0, new Input(name, dir, ImageLoader.NO_IMAGE_FILES));
        }
        out.addAll(found);
    }
}
