package org.vit4j.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command examples of a Markdown page: its {@code ```console} blocks (commands after {@code $ },
 * each followed by what it prints) and its {@code ```bash} blocks (commands only).
 *
 * <p>A block is not run when the line before its fence (blank lines aside) is the marker
 * {@code <!-- example: not run (REASON) -->}; the reason is kept, so that a report can list it. A
 * block preceded by {@code <!-- example: needs PATH (REASON) -->} runs only where the file PATH exists
 * (e.g. a data set that a Debian package installs). A
 * plain {@code ```} block that holds a {@code $ } prompt or a {@code ./vit4j} command is returned as
 * well, with {@link Example#lang()} empty, so that a test can refuse it: a command shown outside the
 * two checked kinds would escape the check.
 */
final class MarkdownExamples {

    /** The marker before a block that is not run, with its reason. */
    static final Pattern NOT_RUN = Pattern.compile("^<!-- example: not run \\((.+)\\) -->$");
    /** The marker before a block that runs only where a file exists, with the reason it is needed. */
    static final Pattern NEEDS = Pattern.compile("^<!-- example: needs (/\\S+) \\((.+)\\) -->$");
    private static final Pattern FENCE = Pattern.compile("^```([A-Za-z]*)\\s*$");

    private MarkdownExamples() {}

    /**
     * One command of a console block and the lines shown after it.
     *
     * @param line 1-based line of the command in the page
     * @param command the command, continuation lines joined with newlines as the shell reads them
     * @param expected the lines shown after it, up to the next command or the end of the block
     */
    record Step(int line, String command, List<String> expected) {}

    /**
     * One fenced block of commands.
     *
     * @param file the page
     * @param line 1-based line of the opening fence
     * @param lang {@code console}, {@code bash}, or empty for a plain block that holds commands
     * @param notRun the reason given by the not-run marker, or {@code null} when the block is run
     * @param needs the file the block needs, from its needs marker, or {@code null}
     * @param needsWhy why it needs that file, or {@code null}
     * @param body the block's lines
     * @param steps for a console block, its commands and their shown output
     */
    record Example(Path file, int line, String lang, String notRun, String needs, String needsWhy,
            List<String> body, List<Step> steps) {

        /** @return {@code file:line} of the opening fence */
        String where() {
            return file + ":" + line;
        }
    }

    /**
     * Reads a page's command blocks.
     *
     * @param file a Markdown page
     * @return its console and bash blocks, and plain blocks that hold commands, in page order
     * @throws IOException if the page cannot be read
     */
    static List<Example> of(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            String lang = open.group(1);
            int start = i;
            List<String> body = new ArrayList<>();
            for (i++; i < lines.size() && !lines.get(i).startsWith("```"); i++) {
                body.add(lines.get(i));
            }
            boolean commands = lang.equals("console") || lang.equals("bash")
                    || (lang.isEmpty() && body.stream().anyMatch(l -> l.startsWith("$ ") || l.startsWith("./vit4j ")));
            if (!commands) {
                continue;
            }
            String marker = markerAbove(lines, start);
            Matcher notRun = NOT_RUN.matcher(marker);
            Matcher needs = NEEDS.matcher(marker);
            boolean hasNeeds = needs.matches();
            out.add(new Example(file, start + 1, lang, notRun.matches() ? notRun.group(1) : null,
                    hasNeeds ? needs.group(1) : null, hasNeeds ? needs.group(2) : null, List.copyOf(body),
                    lang.equals("console") ? steps(body, start + 2) : List.of()));
        }
        return out;
    }

    /** The line above the fence at {@code fence}, blank lines aside, stripped; empty if none. */
    private static String markerAbove(List<String> lines, int fence) {
        int j = fence - 1;
        while (j >= 0 && lines.get(j).isBlank()) {
            j--;
        }
        return j < 0 ? "" : lines.get(j).strip();
    }

    /** Splits a console block into its commands ({@code $ } lines, with {@code \} continuations) and their output. */
    static List<Step> steps(List<String> body, int firstLine) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < body.size(); ) {
            String l = body.get(i);
            if (!l.startsWith("$ ")) {
                throw new IllegalArgumentException("line " + (firstLine + i) + ": output before any command: " + l);
            }
            int line = firstLine + i;
            StringBuilder cmd = new StringBuilder(l.substring(2));
            i++;
            while (cmd.toString().endsWith("\\") && i < body.size()) {
                cmd.append('\n').append(body.get(i));
                i++;
            }
            List<String> expected = new ArrayList<>();
            while (i < body.size() && !body.get(i).startsWith("$ ")) {
                expected.add(body.get(i));
                i++;
            }
            steps.add(new Step(line, cmd.toString(), List.copyOf(expected)));
        }
        return steps;
    }
}
