package org.vit4j.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user's documents speak of the product — what it does, measured on which machine, when, with
 * which command — never of how they were written: no sessions, no issue targets, no scratch paths,
 * no "here" for the machine the text was written on. Each rule below names words that only that
 * second kind of text uses; a hit fails the test with {@code file:line}. The few uses that state a
 * fact of the product are allowed by file and phrase, each with its reason, and an allowance that
 * no longer matches anything fails too, so the list cannot go stale.
 */
class DocWordingTest {

    /**
     * A pattern of words and what it stands for.
     *
     * @param pattern the words (case-insensitive)
     * @param why what a match says that a user's document should not
     * @param example a phrase it must catch
     */
    record Rule(Pattern pattern, String why, String example) {
        Rule(String regex, String why, String example) {
            this(Pattern.compile(regex, Pattern.CASE_INSENSITIVE), why, example);
        }
    }

    /**
     * A use of a rule's words that states a fact of the product.
     *
     * @param file the page (path from the project root)
     * @param phrase the phrase around the match, exactly as on the page
     * @param why why it is about the product
     */
    record Allowed(String file, String phrase, String why) {}

    static final List<Rule> RULES = List.of(
            new Rule("\\bsessions?\\b", "the sessions that wrote or ran something", "over four working sessions"),
            new Rule("(?<![-/\\w.`])targets?\\b(?![/\\w.-])", "a goal set for the work, not a property of the product",
                    "This meets the project's 92.0 % target"),
            new Rule("\\bhere\\b", "'here' for the machine or checkout the text was written on: name the CPU and the date",
                    "there is no GPU here"),
            new Rule("/work/|/tmp/", "a scratch path of the writer's machine", "-> /work/wt-spark/target/out"),
            new Rule("\\bthis (?:shared |build |2-core |idle )?machine\\b", "the machine the text was written on",
                    "vary with what else this shared machine was running"),
            new Rule("\\b(?:the|a|an) (?:idle )?(?:2-core )?build machine\\b|\\bproject's (?:\\S+ ){0,2}machine\\b",
                    "the project's own build machine", "On the idle 2-core build machine (Zen 5)"),
            new Rule("\\(\\d[\\d ]* since\\)", "a count that changed after the text was written", "844 JUnit tests (910 since)"),
            new Rule("\\bthe design\\b", "the design document the work followed", "The design named ImageIO-ext"),
            new Rule("\\bnot installable\\b", "what the writer's machine could not install", "timm itself is not installable here"));

    static final List<Allowed> ALLOWED = List.of(
            new Allowed("docs/limits.md", "a `--device` this machine does not have",
                    "the user's machine: a usage error for a device it lacks"),
            new Allowed("docs/limits.md", "the 2 cores of this machine",
                    "quotes the note vit4j prints about the user's machine"),
            new Allowed("docs/limits.md", "its target is checked", "the target of a symbolic link"),
            new Allowed("docs/compiled-forward.md", "the label-smoothed targets", "the training step's labels"),
            new Allowed("notebooks/README.md", "classes target Java 17", "a verb: the class files are compiled for Java 17"),
            new Allowed("docs/spark.md", "/tmp/vit4j-", "the example's output folders: Spark prints absolute paths"),
            new Allowed("docs/spark.md", "/tmp/mixed", "the example's input folder: Spark prints absolute paths"),
            new Allowed("docs/spark.md", "/tmp/no-such-model", "the example's missing model folder"));

    static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md"),
                Path.of("notebooks/README.md"), Path.of("src/bench/results/README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    /** The hits of the rules in one line, as {@code "word" (why)}, allowances applied. */
    static List<String> hits(String file, String line, Set<Allowed> used) {
        List<String> out = new ArrayList<>();
        for (Rule r : RULES) {
            Matcher m = r.pattern().matcher(line);
            while (m.find()) {
                Allowed a = allowance(file, line, m.start(), m.end());
                if (a != null) {
                    used.add(a);
                } else {
                    out.add("\"" + m.group() + "\" (" + r.why() + ")");
                }
            }
        }
        return out;
    }

    private static Allowed allowance(String file, String line, int start, int end) {
        for (Allowed a : ALLOWED) {
            if (!a.file().equals(file)) {
                continue;
            }
            for (int at = line.indexOf(a.phrase()); at >= 0; at = line.indexOf(a.phrase(), at + 1)) {
                if (at <= start && end <= at + a.phrase().length()) {
                    return a;
                }
            }
        }
        return null;
    }

    @Test
    void everyRuleCatchesItsExample() {
        for (Rule r : RULES) {
            assertTrue(r.pattern().matcher(r.example()).find(), r.pattern() + " misses " + r.example());
        }
        // and leaves alone what is a fact of the product
        for (String fine : List.of("writes target/bench-headline.md", "GpuCheck --target cpu", "where the data is",
                "there are 13 images", "SparkSession starts in 2.7 s", "on a shared machine, say so",
                "measured on a 2-core AMD EPYC", "since 2026-12-02", "`target`")) {
            Set<Allowed> used = new HashSet<>();
            assertTrue(hits("x.md", fine, used).isEmpty(), fine + ": " + hits("x.md", fine, used));
        }
    }

    @Test
    void documentsSpeakOfTheProductOnly() throws IOException {
        List<String> found = new ArrayList<>();
        Set<Allowed> used = new HashSet<>();
        for (Path page : pages()) {
            String file = page.toString().replace('\\', '/');
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                for (String hit : hits(file, lines.get(i), used)) {
                    found.add(file + ":" + (i + 1) + ": " + hit + "\n    " + lines.get(i).strip());
                }
            }
        }
        assertTrue(found.isEmpty(), "the documents speak of how they were written, not of the product:\n"
                + String.join("\n", found));
        List<Allowed> stale = ALLOWED.stream().filter(a -> !used.contains(a)).toList();
        assertTrue(stale.isEmpty(), "allowances that match nothing any more: " + stale);
    }
}
