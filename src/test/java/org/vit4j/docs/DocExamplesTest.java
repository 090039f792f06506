package org.vit4j.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command example of the README, BENCHMARKS.md, {@code notebooks/README.md} and the
 * {@code docs/} pages runs as shown on a fresh checkout, and prints what the page shows.
 *
 * <p>Each {@code ```console} and {@code ```bash} block runs in its own copy of the checkout (every
 * file but {@code target/} and {@code .git}, so the checkout itself is never written), its commands
 * in one {@code bash} in page order, with {@code ./vit4j} the launcher's own run line (its Java flags
 * and environment, read from the launcher) on this build's class path. In a console block the lines
 * after each {@code $ } command must be what it printed, stdout and stderr together, under the
 * allowances of {@link ShownOutput} (elided lines, timings, float rounding); a command must exit 0
 * unless the page shows its exit status ({@code $?} in that command or in the next). In a bash block
 * every command must exit 0. A block preceded by {@code <!-- example: not run (REASON) -->} is not
 * run — the long ones (training, evaluation of 10 000 images, benchmarks, the Spark build), those
 * that need files the checkout lacks, and those whose output depends on the CPU — and the list of
 * them, with their reasons, is printed. A block marked {@code <!-- example: needs PATH (REASON) -->}
 * runs where PATH exists (CI installs Debian's {@code dataset-fashion-mnist}) and is listed with the
 * others where it does not. A plain {@code ```} block that holds commands fails the test:
 * it would escape the check.
 */
class DocExamplesTest {

    private static final String STEP_END = "@@vit4j-doc-step-end@@";
    private static final long BLOCK_TIMEOUT_S = 300;

    @TempDir Path tmp;

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md"),
                Path.of("notebooks/README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    @Test
    void shownOutputAllowsOnlyWhatItNames() {
        assertTrue(ShownOutput.matches(List.of("a", "...", "z"), List.of("a", "b", "c", "z")));
        assertTrue(ShownOutput.matches(List.of("a", "... (then more)", "z"), List.of("a", "z")));
        assertFalse(ShownOutput.matches(List.of("a", "z"), List.of("a", "b", "z")), "no elision, no extra line");
        assertFalse(ShownOutput.matches(List.of("a", "b"), List.of("a")), "a shown line must be printed");
        assertTrue(ShownOutput.lineMatches("linear:       onednn ...", "linear:       onednn (auto: 7 of 26)"));
        assertFalse(ShownOutput.lineMatches("linear:       aten ...", "linear:       onednn (auto: 7 of 26)"));
        assertTrue(ShownOutput.lineMatches("ok (23 s), 2.0 images/s, 3386 ms", "ok (31 s), 2.4 images/s, 12 ms"));
        assertFalse(ShownOutput.lineMatches("13 rows, 0 errors", "12 rows, 0 errors"), "a count is no timing");
        assertTrue(ShownOutput.lineMatches("{\"images_per_s\":421.02,\"epoch_seconds\":1.28}", "{\"images_per_s\":398.7,\"epoch_seconds\":1.4}"));
        assertFalse(ShownOutput.lineMatches("{\"epoch\":1,\"step\":5}", "{\"epoch\":1,\"step\":6}"));
        assertFalse(ShownOutput.lineMatches("accuracy 92.21%", "accuracy 92.22%"), "a rounded number is exact");
        assertTrue(ShownOutput.lineMatches("\"probability\":0.9113208055496216", "\"probability\":0.9113208055496213"));
        assertFalse(ShownOutput.lineMatches("\"probability\":0.9113208055496216", "\"probability\":0.9113308055496216"));
        assertFalse(ShownOutput.lineMatches("Bag   0.9112", "Bag  0.9112"), "spaces count");
        assertTrue(ShownOutput.lineMatches("x  ", "x"), "trailing spaces do not");
    }

    @Test
    void consoleBlocksSplitIntoCommandsAndOutput() {
        List<MarkdownExamples.Step> steps = MarkdownExamples.steps(
                List.of("$ a \\", "  --b", "out 1", "", "out 2", "$ c; echo \"exit $?\"", "exit 1"), 10);
        assertEquals(2, steps.size());
        assertEquals("a \\\n  --b", steps.get(0).command());
        assertEquals(List.of("out 1", "", "out 2"), steps.get(0).expected());
        assertEquals(10, steps.get(0).line());
        assertEquals(15, steps.get(1).line());
        assertTrue(MarkdownExamples.NOT_RUN.matcher("<!-- example: not run (trains for an hour) -->").matches());
        assertFalse(MarkdownExamples.NOT_RUN.matcher("<!-- example: not run () -->").matches(), "a reason is required");
        assertTrue(MarkdownExamples.NEEDS.matcher("<!-- example: needs /usr/share/datasets/fashion-mnist (the data) -->").matches());
    }

    @Test
    void everyExampleRunsAsShown() throws Exception {
        String launcher = launcherRunLine();
        String only = System.getProperty("docExamples.only", ""); // a page path's part, to run one page's blocks
        List<String> failures = new ArrayList<>();
        List<String> notRun = new ArrayList<>();
        List<MarkdownExamples.Example> toRun = new ArrayList<>();
        for (Path page : pages()) {
            for (MarkdownExamples.Example ex : MarkdownExamples.of(page)) {
                if (ex.lang().isEmpty()) {
                    failures.add(ex.where() + ": commands in a plain ``` block; make it ```console (with its output)"
                            + " or ```bash, so that it is run");
                } else if (ex.notRun() != null) {
                    notRun.add(ex.where() + ": " + ex.notRun());
                } else if (ex.needs() != null && !Files.exists(Path.of(ex.needs()))) {
                    notRun.add(ex.where() + ": needs " + ex.needs() + " (" + ex.needsWhy() + "), which is missing");
                } else if (only.isEmpty() || ex.file().toString().contains(only)) {
                    toRun.add(ex);
                }
            }
        }
        // two blocks at a time: most of a block's time is JVM and engine start-up, not compute
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (MarkdownExamples.Example ex : toRun) {
                results.add(pool.submit(() -> ex.lang().equals("console") ? runConsole(ex, launcher) : runBash(ex, launcher)));
            }
            for (Future<List<String>> r : results) {
                failures.addAll(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
        int ran = toRun.size();
        System.out.println("doc examples run: " + ran + " blocks; not run (" + notRun.size() + "):\n  "
                + String.join("\n  ", notRun));
        assertTrue(ran >= (only.isEmpty() ? 10 : 1), "only " + ran + " example blocks ran");
        assertTrue(failures.isEmpty(), failures.size() + " doc example(s) differ from what the commands do:\n\n"
                + String.join("\n\n", failures));
    }

    /** Runs a console block's commands in one shell; each command's output and exit code are compared. */
    private List<String> runConsole(MarkdownExamples.Example ex, String launcher) throws Exception {
        List<MarkdownExamples.Step> steps = ex.steps();
        StringBuilder script = new StringBuilder();
        for (MarkdownExamples.Step s : steps) {
            script.append(s.command()).append('\n')
                    .append("__rc=$?; printf '%s %d\\n' '").append(STEP_END).append("' \"$__rc\"; (exit $__rc)\n");
        }
        String out = run(ex, launcher, "bash", script.toString());
        List<String> failures = new ArrayList<>();
        int at = 0;
        for (int k = 0; k < steps.size(); k++) {
            MarkdownExamples.Step s = steps.get(k);
            int end = out.indexOf(STEP_END, at);
            if (end < 0) {
                failures.add(ex.file() + ":" + s.line() + ": `" + s.command() + "` did not finish:\n" + out.substring(at));
                break;
            }
            List<String> printed = out.substring(at, end).lines().toList();
            int eol = out.indexOf('\n', end);
            int rc = Integer.parseInt(out.substring(end + STEP_END.length() + 1, eol).strip());
            at = eol + 1;
            boolean statusShown = s.command().contains("$?")
                    || (k + 1 < steps.size() && steps.get(k + 1).command().contains("$?"));
            if (!ShownOutput.matches(s.expected(), printed)) {
                failures.add(ex.file() + ":" + s.line() + ": `" + s.command() + "` printed\n    | "
                        + String.join("\n    | ", printed) + "\n  the page shows\n    | " + String.join("\n    | ", s.expected()));
            } else if (rc != 0 && !statusShown) {
                failures.add(ex.file() + ":" + s.line() + ": `" + s.command() + "` exited " + rc + " (the page does not show it)");
            }
        }
        return failures;
    }

    /** Runs a bash block with {@code -e}: every command must exit 0. */
    private List<String> runBash(MarkdownExamples.Example ex, String launcher) throws Exception {
        String script = String.join("\n", ex.body()) + "\nprintf '%s 0\\n' '" + STEP_END + "'\n";
        String out = run(ex, launcher, "bash", "set -e\n" + script);
        if (!out.contains(STEP_END)) {
            return List.of(ex.where() + ": a command failed:\n    | " + String.join("\n    | ", out.lines().toList()));
        }
        return List.of();
    }

    /** Runs a script in a fresh copy of the checkout; returns stdout and stderr together. */
    private String run(MarkdownExamples.Example ex, String launcher, String shell, String script) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("block-" + ex.file().getFileName() + "-" + ex.line()));
        copyCheckout(dir);
        Path vit4j = dir.resolve("vit4j");
        Files.writeString(vit4j, launcher, StandardCharsets.UTF_8);
        assertTrue(vit4j.toFile().setExecutable(true));
        Path scriptFile = tmp.resolve("block-" + ex.file().getFileName() + "-" + ex.line() + ".sh");
        Files.writeString(scriptFile, script, StandardCharsets.UTF_8);
        Path log = tmp.resolve("block-" + ex.file().getFileName() + "-" + ex.line() + ".log");
        ProcessBuilder pb = new ProcessBuilder(shell, scriptFile.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
        pb.environment().put("PATH", javaBin + File.pathSeparator + pb.environment().getOrDefault("PATH", ""));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        if (!p.waitFor(BLOCK_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor();
        }
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /** The checkout's files but {@code target/} and {@code .git}, with their modes. */
    private static void copyCheckout(Path to) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path rel = root.relativize(f);
                if (rel.toString().isEmpty()) {
                    continue;
                }
                String first = rel.getName(0).toString();
                if (first.equals("target") || first.equals(".git")) {
                    continue;
                }
                Path dest = to.resolve(rel.toString());
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(f, dest, StandardCopyOption.COPY_ATTRIBUTES, java.nio.file.LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /**
     * The launcher {@code ./vit4j} without its build step: its lines from the offline switches to
     * its {@code exec java ... -jar "$JAR" "$@"}, on this build's class path instead of the jar.
     */
    static String launcherRunLine() throws IOException {
        String text = Files.readString(Path.of("vit4j"), StandardCharsets.UTF_8);
        int from = text.indexOf("# DJL offline:");
        assertTrue(from > 0, "the launcher's run section starts with '# DJL offline:'");
        String run = text.substring(from);
        String jar = "-jar \"$JAR\" \"$@\"";
        assertTrue(run.contains(jar), "the launcher runs the jar with " + jar);
        String cp = System.getProperty("java.class.path").replace("'", "'\\''");
        return "#!/usr/bin/env bash\n# ./vit4j's run section, on the test class path\nset -euo pipefail\n"
                + run.replace(jar, "-cp '" + cp + "' org.vit4j.cli.Vit4j \"$@\"");
    }

    @Test
    void launcherRunLineKeepsTheLaunchersFlags() throws IOException {
        String run = launcherRunLine();
        assertTrue(run.contains("-Dai.djl.offline=true") && run.contains("org.vit4j.cli.Vit4j \"$@\""), run);
        assertFalse(run.contains("mvn "), "no build step: " + run);
    }
}
