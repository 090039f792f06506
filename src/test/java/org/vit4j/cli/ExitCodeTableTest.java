package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exit-code table of {@code docs/limits.md} against the behaviour: the table lists exactly the
 * codes of {@link ExitCodes}, and one command for each cause it names exits with that code.
 */
class ExitCodeTableTest {

    @TempDir Path tmp;

    /** The table's rows: code to meaning. */
    private static Map<Integer, String> table() throws IOException {
        Map<Integer, String> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("docs/limits.md"))) {
            if (line.matches("\\| \\d \\| .*")) {
                rows.put(line.charAt(2) - '0', line.substring(6));
            }
        }
        return rows;
    }

    private static void exits(int code, String... args) {
        CliRun r = run(args);
        assertEquals(code, r.code(), String.join(" ", args) + ": " + r.err());
    }

    @Test
    void theTableListsEveryCodeAndEachCauseExitsWithIt() throws IOException {
        Map<Integer, String> rows = table();
        assertEquals(java.util.List.of(ExitCodes.OK, ExitCodes.SOME_FAILED, ExitCodes.USAGE, ExitCodes.MODEL),
                java.util.List.copyOf(rows.keySet()));
        String image = "sample-images/fashion-9-ankle-boot-test0.png";
        exits(ExitCodes.OK, "predict", "--quiet", image);

        assertTrue(rows.get(1).contains("some inputs failed"));
        exits(ExitCodes.SOME_FAILED, "predict", "--quiet", image, tmp.resolve("missing.png").toString());
        assertTrue(rows.get(1).contains("an output could not be written after the work"));
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "no /dev/full here");
        exits(ExitCodes.SOME_FAILED, "predict", "--quiet", "--out", "/dev/full", image);

        assertTrue(rows.get(2).contains("unknown option"));
        exits(ExitCodes.USAGE, "predict", "--no-such-option", image);
        assertTrue(rows.get(2).contains("one of the inputs, an existing file without `--force`"));
        exits(ExitCodes.USAGE, "predict", "--out", image, image);
        Path existing = Files.writeString(tmp.resolve("results.csv"), "mine");
        exits(ExitCodes.USAGE, "predict", "--out", existing.toString(), image);
        assertTrue(rows.get(2).contains("a missing or unwritable directory"));
        exits(ExitCodes.USAGE, "predict", "--out", tmp.resolve("no-dir").resolve("p.csv").toString(), image);
        assertTrue(rows.get(2).contains("Try 'vit4j CMD --help' for the options."));

        assertTrue(rows.get(3).contains("could not be loaded"));
        exits(ExitCodes.MODEL, "predict", "--model", tmp.resolve("no-model").toString(), image);
    }
}
