package org.vit4j.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a data set's class names (e.g. image-folder names) onto a model's labels, so that a model
 * can be evaluated on a folder whose names are not its labels or that holds only some of its
 * classes. A folder name matches a label exactly, else case-insensitively, else after dropping
 * everything but letters and digits ({@code t-shirt_top} matches {@code T-shirt/top}, which
 * cannot be a folder name); a map file settles the rest.
 */
public final class LabelMap {

    private LabelMap() {}

    /**
     * Reads a map file: one {@code FOLDER=LABEL} per line (split at the first {@code =}); blank
     * lines and lines starting with {@code #} are skipped.
     *
     * @param file the file
     * @return folder name to model label, in file order
     * @throws IOException if the file cannot be read or a line has no {@code =}
     */
    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> map = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0 || eq == line.length() - 1) {
                throw new IOException(file + " line " + (i + 1) + ": expected FOLDER=LABEL, got '" + line + "'");
            }
            map.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return map;
    }

    /**
     * Finds each data-set class's model label.
     *
     * @param dataLabels the data set's class names
     * @param modelLabels the model's labels
     * @param explicit folder name to model label (from {@link #read}), may be empty
     * @return for each data-set class, the index of its model label
     * @throws IllegalArgumentException naming the classes that match no label, match several, or
     *     share one label
     */
    public static int[] match(List<String> dataLabels, List<String> modelLabels, Map<String, String> explicit) {
        int[] map = new int[dataLabels.size()];
        List<String> problems = new ArrayList<>();
        for (String key : explicit.keySet()) {
            if (!dataLabels.contains(key)) {
                problems.add("the label map names '" + key + "', which is not a class of the data");
            }
        }
        for (int c = 0; c < dataLabels.size(); c++) {
            String name = dataLabels.get(c);
            String target = explicit.getOrDefault(name, name);
            int found = find(target, modelLabels, explicit.containsKey(name));
            if (found == -1) {
                problems.add("'" + name + "'" + (explicit.containsKey(name) ? " -> '" + target + "'" : "")
                        + " matches no label of the model");
            } else if (found == -2) {
                problems.add("'" + name + "' matches several labels of the model");
            }
            map[c] = found;
        }
        for (int a = 0; a < map.length; a++) {
            for (int b = a + 1; b < map.length; b++) {
                if (map[a] >= 0 && map[a] == map[b]) {
                    problems.add("'" + dataLabels.get(a) + "' and '" + dataLabels.get(b) + "' both map to '"
                            + modelLabels.get(map[a]) + "'");
                }
            }
        }
        if (!problems.isEmpty()) {
            String labels = String.join(", ", modelLabels);
            throw new IllegalArgumentException(String.join("; ", problems) + " (the model's labels: "
                    + (labels.length() > 300 ? labels.substring(0, 297) + "..." : labels)
                    + "); name the folders after the labels or give a label map of FOLDER=LABEL lines");
        }
        return map;
    }

    /**
     * The data set with the model's labels: {@code labels()} are the model's, {@code label(i)} the
     * model index of image {@code i}'s class; classes the data lacks have no images.
     *
     * @param data the data set
     * @param modelLabels the model's labels
     * @param map from {@link #match}
     * @return the relabelled view (the same images, in order)
     */
    public static ImageDataset relabel(ImageDataset data, List<String> modelLabels, int[] map) {
        List<String> labels = List.copyOf(modelLabels);
        return new ImageDataset() {
            @Override
            public int size() {
                return data.size();
            }

            @Override
            public List<String> labels() {
                return labels;
            }

            @Override
            public int label(int index) {
                return map[data.label(index)];
            }

            @Override
            public Pixels pixels(int index) throws IOException {
                return data.pixels(index);
            }

            @Override
            public String name(int index) {
                return data.name(index);
            }

            @Override
            public String describe() {
                return data.describe() + (map.length == labels.size() ? "" : ", " + map.length + " of the model's "
                        + labels.size() + " classes");
            }
        };
    }

    /** @return the label's index, -1 for none, -2 for several; {@code caseInsensitiveOnly} skips the letters-and-digits match */
    private static int find(String name, List<String> labels, boolean caseInsensitiveOnly) {
        int exact = labels.indexOf(name);
        if (exact >= 0) {
            return exact;
        }
        int found = unique(labels, l -> l.equalsIgnoreCase(name));
        if (found != -1 || caseInsensitiveOnly) {
            return found;
        }
        String key = squash(name);
        return key.isEmpty() ? -1 : unique(labels, l -> squash(l).equals(key));
    }

    private static int unique(List<String> labels, java.util.function.Predicate<String> test) {
        int found = -1;
        for (int i = 0; i < labels.size(); i++) {
            if (test.test(labels.get(i))) {
                if (found >= 0) {
                    return -2;
                }
                found = i;
            }
        }
        return found;
    }

    /** Lower case, letters and digits only. */
    private static String squash(String s) {
        StringBuilder b = new StringBuilder();
        s.toLowerCase(Locale.ROOT).codePoints().filter(Character::isLetterOrDigit).forEach(b::appendCodePoint);
        return b.toString();
    }
}
