package org.vit4j.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.io.AtomicFiles;

/**
 * The files of a vit4j model directory, all plain data (loading one never runs code from it):
 *
 * <pre>
 *   config.json         {@link ViTConfig}
 *   labels.txt          one class name per line, numClasses lines
 *   model.safetensors   weights, named as {@link VisionTransformer#namedParameters()}
 *   checksums.sha256    SHA-256 of the three files above, in sha256sum format
 *   serving.properties  lets DJL's Criteria load the directory with vit4j's block factory
 * </pre>
 *
 * Each file is written atomically; the checksums are written last and verified on load, so a
 * flipped bit or a mix of two saves is refused instead of silently giving wrong numbers.
 */
public final class ModelDirectory {

    /** Config file name. */
    public static final String CONFIG = "config.json";
    /** Labels file name. */
    public static final String LABELS = "labels.txt";
    /** Weights file name. */
    public static final String WEIGHTS = "model.safetensors";
    /** Checksums file name. */
    public static final String CHECKSUMS = "checksums.sha256";
    /** DJL serving properties file name. */
    public static final String SERVING = "serving.properties";

    private ModelDirectory() {}

    /**
     * Writes config, labels and checksums (the weights must already be written by the caller).
     *
     * @param dir the directory
     * @param config the config
     * @param labels the labels
     * @param weights the bytes of the weights file
     * @throws IOException if writing fails
     */
    static void write(Path dir, ViTConfig config, List<String> labels, byte[] weights) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (java.nio.file.FileSystemException e) {
            throw new org.vit4j.io.WriteFailedException(dir, org.vit4j.io.IoErrors.reason(e), e);
        }
        byte[] cfg = (config.toJson() + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] lab = (String.join("\n", labels) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.writeBytes(dir.resolve(CONFIG), cfg);
        AtomicFiles.writeBytes(dir.resolve(LABELS), lab);
        AtomicFiles.writeBytes(dir.resolve(WEIGHTS), weights);
        AtomicFiles.writeString(
                dir.resolve(SERVING),
                "# Lets DJL's Criteria load this directory: the block comes from vit4j on the classpath.\n"
                        + "engine=PyTorch\n"
                        + "option.modelName=model\n"
                        + "option.hasParameter=false\n"
                        + "blockFactory=org.vit4j.infer.VitBlockFactory\n"
                        + "translatorFactory=org.vit4j.infer.VitTranslatorFactory\n");
        StringBuilder sums = new StringBuilder();
        sums.append(sha256(cfg)).append("  ").append(CONFIG).append('\n');
        sums.append(sha256(lab)).append("  ").append(LABELS).append('\n');
        sums.append(sha256(weights)).append("  ").append(WEIGHTS).append('\n');
        AtomicFiles.writeString(dir.resolve(CHECKSUMS), sums.toString());
    }

    /**
     * Reads and checks the config.
     *
     * @param dir the directory
     * @return the config
     * @throws IOException if missing, unreadable or invalid, naming the file
     */
    public static ViTConfig readConfig(Path dir) throws IOException {
        return readConfig(ModelFiles.of(dir));
    }

    /**
     * Reads and checks the config.
     *
     * @param files the model files
     * @return the config
     * @throws IOException if missing, unreadable or invalid, naming the file
     */
    public static ViTConfig readConfig(ModelFiles files) throws IOException {
        String json = readString(files, CONFIG);
        try {
            return ViTConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw new IOException(files.describe(CONFIG) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads the labels and checks their count.
     *
     * @param files the model's files
     * @param numClasses the expected count
     * @return the labels
     * @throws IOException if missing or of the wrong count
     */
    public static List<String> readLabels(ModelFiles files, int numClasses) throws IOException {
        String p = files.describe(LABELS);
        List<String> labels;
        try {
            labels = parseLabels(readString(files, LABELS));
        } catch (IllegalArgumentException e) {
            throw new IOException(p + ": " + e.getMessage(), e);
        }
        if (labels.size() != numClasses) {
            throw new IOException(
                    p + ": has " + labels.size() + " labels but the config says numClasses="
                            + numClasses);
        }
        return labels;
    }

    /**
     * Parses the text of a labels file: one class name per line in class-index order, white space
     * around a name stripped, blank lines skipped. The one parser of {@code labels.txt}, of
     * {@code vit4j import --labels} and of the shipped ImageNet-1k names.
     *
     * @param text the file's text
     * @return the names, index = class
     * @throws IllegalArgumentException if a name appears twice (two classes a prediction could not tell apart)
     */
    public static List<String> parseLabels(String text) {
        List<String> labels = new ArrayList<>();
        java.util.Map<String, Integer> lineOf = new java.util.HashMap<>();
        String[] lines = text.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].strip();
            if (!l.isEmpty()) {
                Integer first = lineOf.putIfAbsent(l, i + 1);
                if (first != null) {
                    throw new IllegalArgumentException("label '" + l + "' appears twice (lines " + first + " and " + (i + 1)
                            + "); each class needs its own name");
                }
                labels.add(l);
            }
        }
        return List.copyOf(labels);
    }

    /**
     * Verifies the checksums file against the files.
     *
     * @param files the model's files
     * @throws IOException if a file is missing or its checksum differs, naming it
     */
    public static void verify(ModelFiles files) throws IOException {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : List.of(CONFIG, LABELS, WEIGHTS)) {
            contents.put(name, files.read(name));
        }
        verify(files, contents);
    }

    /**
     * What a model's files hold, read once and checked: config, labels and the weights' bytes.
     *
     * @param config the config
     * @param labels the labels, {@code numClasses} of them
     * @param weights the content of {@code model.safetensors}
     */
    public record Contents(ViTConfig config, List<String> labels, byte[] weights) {}

    /**
     * Reads config, labels and weights once each, and checks them (config fields, label count,
     * checksums) before anything is parsed further.
     *
     * @param files the model files
     * @return the checked contents
     * @throws IOException naming the file and what is wrong
     */
    public static Contents read(ModelFiles files) throws IOException {
        ViTConfig config = readConfig(files);
        List<String> labels = readLabels(files, config.architecture().numClasses());
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String name : List.of(CONFIG, LABELS, WEIGHTS)) {
            contents.put(name, files.read(name));
        }
        verify(files, contents);
        return new Contents(config, labels, contents.get(WEIGHTS));
    }

    private static void verify(ModelFiles files, Map<String, byte[]> contents) throws IOException {
        Map<String, String> expected = new LinkedHashMap<>();
        for (String line : readString(files, CHECKSUMS).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.trim().split("\\s+\\*?", 2);
            if (parts.length != 2 || parts[0].length() != 64) {
                throw new IOException(files.describe(CHECKSUMS) + ": malformed line '" + line + "'");
            }
            expected.put(parts[1], parts[0]);
        }
        for (String name : List.of(CONFIG, LABELS, WEIGHTS)) {
            String want = expected.get(name);
            if (want == null) {
                throw new IOException(files.describe(CHECKSUMS) + ": no checksum for " + name);
            }
            String got = sha256(contents.get(name));
            if (!want.equalsIgnoreCase(got)) {
                throw new IOException(
                        files.describe(name) + ": SHA-256 " + got + " does not match " + want
                                + " in " + CHECKSUMS + " (file corrupt or changed)");
            }
        }
    }

    /**
     * Verifies the checksums of a directory.
     *
     * @param dir the directory
     * @throws IOException if a file is missing or its checksum differs
     */
    public static void verify(Path dir) throws IOException {
        verify(ModelFiles.of(dir));
    }

    /**
     * Reads the labels of a directory and checks their count.
     *
     * @param dir the directory
     * @param numClasses the expected count
     * @return the labels
     * @throws IOException if missing or of the wrong count
     */
    public static List<String> readLabels(Path dir, int numClasses) throws IOException {
        return readLabels(ModelFiles.of(dir), numClasses);
    }

    private static String readString(ModelFiles files, String name) throws IOException {
        return new String(files.read(name), StandardCharsets.UTF_8);
    }

    /**
     * SHA-256 as lower-case hex.
     *
     * @param bytes data
     * @return 64 hex digits
     */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
