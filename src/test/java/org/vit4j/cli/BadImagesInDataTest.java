package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import ai.djl.Device;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vit4j.model.ModelDirectory;
import org.vit4j.model.Pooling;
import org.vit4j.model.Variant;
import org.vit4j.model.VitModel;
import org.vit4j.train.RunDirectory;

/**
 * A data folder with a few unreadable images among good ones: {@code eval} and {@code train} name
 * each bad file once on stderr, use the rest, count the skipped files in their JSON and exit 1;
 * links that cannot be followed are reported, not left out unseen.
 */
class BadImagesInDataTest {

    @TempDir Path tmp;
    Path data;
    List<String> bad;

    @BeforeEach
    void folder() throws IOException {
        data = tmp.resolve("data");
        Random r = new Random(3);
        for (int c = 0; c < 2; c++) {
            Path d = Files.createDirectories(data.resolve(c == 0 ? "dark" : "light"));
            for (int i = 0; i < 10; i++) {
                BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        img.getRaster().setSample(x, y, 0, c == 0 ? r.nextInt(80) : 175 + r.nextInt(80));
                    }
                }
                ImageIO.write(img, "png", d.resolve("i" + i + ".png").toFile());
            }
        }
        Path empty = Files.createFile(data.resolve("dark").resolve("zero.png"));
        Path text = Files.writeString(data.resolve("light").resolve("notes.jpg"), "not a picture");
        Path dangling = Files.createSymbolicLink(data.resolve("light").resolve("gone.png"), data.resolve("nowhere.png"));
        bad = List.of(empty.toString(), text.toString(), dangling.toString());
    }

    /** The stderr lines that name a file, each starting with its path. */
    private List<String> named(CliRun r, String file) {
        return r.err().lines().filter(l -> l.startsWith(file + ": ")).toList();
    }

    @Test
    void evalNamesEachBadFileOnceAndCountsTheRest() throws Exception {
        Path model = tmp.resolve("model");
        try (VitModel m = VitModel.create(Variant.MICRO.toBuilder().optPooling(Pooling.AVG).setNumClasses(2).build(),
                List.of("dark", "light"), Device.cpu(), 1)) {
            m.save(model);
        }
        // two runs over the data (unscrambled and scrambled): each bad file still named once
        CliRun r = run("eval", "--quiet", "--model", model.toString(), "--data", data.toString(), "--format", "json",
                "--scramble-grid", "2x2", "--batch-size", "4");
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        for (String f : bad) {
            assertEquals(1, named(r, f).size(), f + " in\n" + r.err());
        }
        assertEquals(1, named(r, bad.get(0)).size());
        assertTrue(named(r, bad.get(0)).get(0).contains("file is empty"), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals(3, o.get("skipped").getAsInt());
        JsonArray results = o.getAsJsonArray("results");
        assertEquals(2, results.size());
        for (var e : results) {
            assertEquals(20, e.getAsJsonObject().get("images").getAsInt(), "every good image evaluated");
            assertEquals(3, e.getAsJsonObject().get("skipped").getAsInt());
        }
        CliRun table = run("eval", "--quiet", "--model", model.toString(), "--data", data.toString());
        assertEquals(ExitCodes.SOME_FAILED, table.code());
        assertTrue(table.out().contains("; 3 skipped (unreadable, named on stderr)"), table.out());
    }

    @Test
    void trainLeavesBadFilesOutNamesThemOnceAndCanBeResumed() throws Exception {
        Path out = tmp.resolve("run");
        CliRun r = run("train", "--quiet", "--config", "micro", "--batch-size", "8", "--epochs", "2", "--val-size", "4",
                "--data", data.toString(), "--out", out.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        for (String f : bad) {
            assertEquals(1, named(r, f).size(), f + " named once over two epochs, in\n" + r.err());
        }
        assertTrue(r.err().contains("vit4j train: 3 image(s) could not be read and were left out"), r.err());
        List<String> lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertEquals(2, lines.size(), "both epochs ran");
        for (String line : lines) {
            assertEquals(3, JsonParser.parseString(line).getAsJsonObject().get("skipped").getAsInt(), line);
        }
        assertTrue(Files.exists(out.resolve(ModelDirectory.WEIGHTS)));
        CliRun more = run("train", "--quiet", "--resume", out.toString(), "--epochs", "3");
        assertEquals(ExitCodes.SOME_FAILED, more.code(), more.err());
        assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    }

    @Test
    void aRunWithoutACheckpointIsNeverOfferedToResume() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("stub"));
        Files.writeString(out.resolve(RunDirectory.TRAIN_JSON), "{}");
        CliRun r = run("train", "--config", "micro", "--data", data.toString(), "--out", out.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("vit4j train: --out " + out + " is not empty (train.json); it holds a training run: its run saved no"
                + " checkpoint, so it cannot be resumed; overwrite it with --force", r.errorLine());
        assertFalse(r.err().contains("--resume"), r.err());
    }

    @Test
    void linksThatCannotBeFollowedAreReportedNotLeftOut() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("links"));
        Files.copy(data.resolve("dark").resolve("i0.png"), dir.resolve("a.png"));
        Path loop = dir.resolve("loop.png");
        Files.createSymbolicLink(loop, loop.getFileName());
        Path ring = dir.resolve("ring1");
        Files.createSymbolicLink(ring, Path.of("ring2"));
        Files.createSymbolicLink(dir.resolve("ring2"), Path.of("ring1"));
        Path dangling = dir.resolve("gone.jpg");
        Files.createSymbolicLink(dangling, Path.of("missing.jpg"));
        CliRun r = run("predict", "--quiet", "--format", "csv", dir.toString());
        assertEquals(ExitCodes.SOME_FAILED, r.code(), r.err());
        List<String> rows = new ArrayList<>(r.out().lines().toList());
        assertTrue(rows.contains(loop + ",,,,,\"symbolic link loop, skipped\""), r.out());
        assertTrue(rows.contains(ring + ",,,,,\"symbolic link loop, skipped\""), r.out());
        assertTrue(rows.contains(dir.resolve("ring2") + ",,,,,\"symbolic link loop, skipped\""), r.out());
        assertTrue(rows.contains(dangling + ",,,,,\"dangling symbolic link to missing.jpg, skipped\""), r.out());
        assertTrue(rows.stream().anyMatch(l -> l.startsWith(dir.resolve("a.png") + ",1,")), r.out());
        CliRun byName = run("predict", "--quiet", "--format", "csv", loop.toString(), dangling.toString());
        assertTrue(byName.out().contains(loop + ",,,,,symbolic link loop"), byName.out());
        assertTrue(byName.out().contains(dangling + ",,,,,dangling symbolic link to missing.jpg"), byName.out());
    }
}
