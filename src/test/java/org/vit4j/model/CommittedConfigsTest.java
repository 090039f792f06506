package org.vit4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every config the project has committed, in a model directory ({@code config.json}) or inside a
 * run record ({@code "config": {...}}), reads, and is written back as it was: the file format
 * outlives the classes that read it. The one difference allowed is a field that the writer has
 * always written since it was added, with the value a file without it reads as.
 */
class CommittedConfigsTest {

    /** Written by every writer since the field was added; a file without it reads these values. */
    private static final Map<String, JsonElement> ADDED_SINCE = Map.of("layerScale", JsonParser.parseString("0.0"));

    static Stream<Path> committedJsonFiles() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String root : new String[] {"src/main/resources", "src/test/resources", "notebooks"}) {
            try (Stream<Path> s = Files.walk(Path.of(root))) {
                s.filter(p -> p.toString().endsWith(".json") && hasConfig(p)).sorted().forEach(files::add);
            }
        }
        assertTrue(files.size() >= 3, "found only " + files);
        return files.stream();
    }

    private static boolean hasConfig(Path p) {
        try {
            return Files.readString(p).contains("\"" + ViTConfig.FORMAT + "\"");
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** The config objects in a file: the file itself, or the objects named {@code config} within it. */
    private static List<JsonObject> configs(JsonObject o) {
        List<JsonObject> out = new ArrayList<>();
        if (o.has("format") && ViTConfig.FORMAT.equals(o.get("format").getAsString())) {
            out.add(o);
            return out;
        }
        for (String k : o.keySet()) {
            if (o.get(k).isJsonObject()) {
                out.addAll(configs(o.getAsJsonObject(k)));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("committedJsonFiles")
    void readsAndWritesBackUnchanged(Path file) throws IOException {
        String text = Files.readString(file);
        List<JsonObject> found = configs(JsonParser.parseString(text).getAsJsonObject());
        assertTrue(!found.isEmpty(), file + " holds no config object");
        for (JsonObject committed : found) {
            ViTConfig c = ViTConfig.fromJson(committed.toString());
            JsonObject written = JsonParser.parseString(c.toJson()).getAsJsonObject();
            assertEquals(List.copyOf(withAdded(committed).keySet()), List.copyOf(written.keySet()),
                    file + ": the fields and their order");
            assertEquals(withAdded(committed), written, file.toString());
            assertEquals(c, ViTConfig.fromJson(c.toJson()), file + ": a second round trip");
        }
        if (file.getFileName().toString().equals(ModelDirectory.CONFIG)) {
            // byte for byte: the writer's text is the file's, with any field added since in its place
            String expected = text;
            if (!text.contains("\"layerScale\"")) {
                expected = text.replace("  \"layerNormEps\"", "  \"layerScale\": 0.0,\n  \"layerNormEps\"");
            }
            assertEquals(expected, ViTConfig.fromJson(text).toJson() + "\n", file.toString());
        }
    }

    /** The committed object with the always-written fields it predates, in the writer's order. */
    private static JsonObject withAdded(JsonObject committed) {
        JsonObject out = new JsonObject();
        for (String k : committed.keySet()) {
            if (k.equals("layerNormEps")) {
                for (Map.Entry<String, JsonElement> e : ADDED_SINCE.entrySet()) {
                    if (!committed.has(e.getKey())) {
                        out.add(e.getKey(), e.getValue());
                    }
                }
            }
            out.add(k, committed.get(k));
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("committedModelDirectories")
    void committedModelDirectoriesLoad(Path dir) throws IOException {
        ModelDirectory.Contents c = ModelDirectory.read(ModelFiles.of(dir));
        assertEquals(ViTConfig.fromJson(Files.readString(dir.resolve(ModelDirectory.CONFIG))), c.config());
        assertEquals(c.config().architecture().numClasses(), c.labels().size());
    }

    static Stream<Path> committedModelDirectories() throws IOException {
        return committedJsonFiles().filter(p -> p.getFileName().toString().equals(ModelDirectory.CONFIG))
                .map(Path::getParent);
    }
}
