package org.vit4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where the files of a model come from: a directory, or a folder of the classpath (the bundled
 * model ships inside the jar, so it loads without writing anything to disk).
 */
public interface ModelFiles {

    /**
     * Reads one file.
     *
     * @param name file name, e.g. {@code config.json}
     * @return its bytes
     * @throws IOException if it is missing or unreadable, naming it
     */
    byte[] read(String name) throws IOException;

    /**
     * Names a file for messages.
     *
     * @param name file name
     * @return e.g. {@code models/x/config.json}
     */
    String describe(String name);

    /**
     * Whether a file is there, for the optional ones (a model's training provenance).
     *
     * @param name file name
     * @return whether it exists; by default, whether it can be read
     */
    default boolean exists(String name) {
        try {
            read(name);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Files of a directory.
     *
     * @param dir the directory
     * @return the source
     */
    static ModelFiles of(Path dir) {
        return new ModelFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                Path p = dir.resolve(name);
                if (Files.exists(dir) && !Files.isDirectory(dir)) {
                    throw new IOException(dir + ": not a directory (a vit4j model is a directory of files)");
                }
                if (!Files.isDirectory(dir)) {
                    throw new IOException(dir + ": model directory does not exist");
                }
                try {
                    return Files.readAllBytes(p);
                } catch (NoSuchFileException e) {
                    throw new IOException(p + ": missing (not a vit4j model directory?)", e);
                }
            }

            @Override
            public String describe(String name) {
                return dir.resolve(name).toString();
            }

            @Override
            public boolean exists(String name) {
                return Files.isRegularFile(dir.resolve(name));
            }
        };
    }

    /**
     * Files of a classpath folder.
     *
     * @param folder resource folder without leading slash, e.g. {@code org/vit4j/bundled/fashion-vit}
     * @return the source
     */
    static ModelFiles ofResource(String folder) {
        return new ModelFiles() {
            @Override
            public byte[] read(String name) throws IOException {
                try (InputStream in = ModelFiles.class.getClassLoader().getResourceAsStream(folder + "/" + name)) {
                    if (in == null) {
                        throw new IOException(describe(name) + ": missing from the classpath");
                    }
                    return in.readAllBytes();
                }
            }

            @Override
            public String describe(String name) {
                return "classpath:" + folder + "/" + name;
            }

            @Override
            public boolean exists(String name) {
                return ModelFiles.class.getClassLoader().getResource(folder + "/" + name) != null;
            }
        };
    }
}
