package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The documents say only what exists: every relative link of the README, BENCHMARKS.md, the
 * {@code docs/} pages and the kept benchmark results leads to a file (and, with {@code #anchor},
 * to a heading of it), and every option the command-line reference names is an option of a
 * command.
 */
class DocumentationTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#+ (.*)$", Pattern.MULTILINE);
    private static final Pattern FENCE = Pattern.compile("```.*?```", Pattern.DOTALL);
    private static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*");

    private static List<Path> documents() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md"), Path.of("BENCHMARKS.md"),
                Path.of("notebooks/README.md"), Path.of("src/bench/results/README.md")));
        try (Stream<Path> s = Files.list(Path.of("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    /** Text outside fenced code blocks, where a console transcript may show anything. */
    private static String prose(Path file) throws IOException {
        return FENCE.matcher(Files.readString(file, StandardCharsets.UTF_8)).replaceAll("");
    }

    /** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as {@code -}. */
    static String anchor(String heading) {
        return heading.trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}_\\- ]", "").replace(' ', '-');
    }

    private static Set<String> anchors(Path file) throws IOException {
        Set<String> out = new TreeSet<>();
        Matcher m = HEADING.matcher(prose(file));
        while (m.find()) {
            out.add(anchor(m.group(1)));
        }
        return out;
    }

    @Test
    void anchorsAreGitHubs() {
        assertEquals("the-compiled-forward-bfloat16-and-gpus", anchor("The compiled forward, bfloat16 and GPUs"));
        assertEquals("with-djls-criteria", anchor("With DJL's `Criteria`"));
        assertEquals("spark-predict", anchor("spark predict"));
    }

    @Test
    void everyRelativeLinkLeadsSomewhere() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path doc : documents()) {
            Matcher m = LINK.matcher(prose(doc));
            while (m.find()) {
                String link = m.group(1);
                if (link.startsWith("http://") || link.startsWith("https://")) {
                    continue;
                }
                int hash = link.indexOf('#');
                String path = hash < 0 ? link : link.substring(0, hash);
                Path target = path.isEmpty() ? doc : doc.resolveSibling(path).normalize();
                if (!Files.exists(target)) {
                    broken.add(doc + ": " + link + " (no such file)");
                } else if (hash >= 0 && target.toString().endsWith(".md")
                        && !anchors(target).contains(link.substring(hash + 1))) {
                    broken.add(doc + ": " + link + " (no such heading)");
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }

    @Test
    void everyOptionOfTheReferenceExists() throws IOException {
        Set<String> options = new TreeSet<>();
        collect(Vit4j.commandLine(), options);
        String reference = prose(Path.of("docs/cli.md"));
        // `spark predict` is the Spark job's (Maven profile spark), documented in docs/spark.md
        String vit4jCommands = reference.substring(0, reference.indexOf("## spark predict"));
        Set<String> unknown = new TreeSet<>();
        Matcher m = OPTION.matcher(vit4jCommands);
        while (m.find()) {
            boolean othersOption = vit4jCommands.startsWith("timm's `", m.start() - 8); // e.g. timm's `--reprob`
            if (!othersOption && !options.contains(m.group())) {
                unknown.add(m.group());
            }
        }
        assertTrue(options.contains("--tokens") && options.contains("--scramble-grid"), options.toString());
        assertTrue(unknown.isEmpty(), "docs/cli.md names options no command has: " + unknown);
    }

    private static void collect(CommandLine cmd, Set<String> into) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            for (String name : o.names()) {
                into.add(name);
            }
        }
        cmd.getSubcommands().values().forEach(sub -> collect(sub, into));
    }
}
