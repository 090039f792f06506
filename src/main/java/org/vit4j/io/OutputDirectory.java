package org.vit4j.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Stream;

/**
 * A directory a command writes its files into (a model, a training run), checked before any work
 * by the rules of {@link OutputFile}: never one of the run's inputs; an existing, non-empty
 * directory only with {@code force}; never a file; its parent must exist (a mistyped path is not
 * silently created), and a file must be creatable in it (or in its parent, when it is new).
 */
public final class OutputDirectory {

    private OutputDirectory() {}

    /**
     * Checks an output directory.
     *
     * @param name the path as the user gave it
     * @param force whether a non-empty directory may be written into
     * @param inputs the run's inputs (files or directories)
     * @return the directory
     * @throws RefusedOutputException if it must not or cannot be written
     */
    public static Path of(String name, boolean force, Collection<Path> inputs) {
        Path dir = Path.of(name);
        for (Path in : inputs) {
            if (OutputFile.sameFile(dir, in)
                    || dir.toAbsolutePath().normalize().equals(in.toAbsolutePath().normalize())) {
                throw new RefusedOutputException(name, "is also an input; write to another directory");
            }
        }
        Path target = OutputFile.finalTarget(name, dir);
        if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new RefusedOutputException(name, "exists and is not a directory");
        }
        if (Files.isDirectory(target)) {
            if (!force && !isEmpty(target)) {
                throw new RefusedOutputException(name,
                        "exists and is not empty; choose a new directory, or add --force to overwrite");
            }
            OutputFile.requireWritableDirectory(name, target);
        } else {
            OutputFile.requireWritableDirectory(name, target.toAbsolutePath().getParent());
        }
        return dir;
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }
}
