package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;

/**
 * One in-process run of the command line, for tests: exit code, stdout, and stderr (including
 * whatever was printed on {@code System.err} meanwhile).
 *
 * @param code exit code
 * @param out standard output
 * @param err standard error
 */
public record CliRun(int code, String out, String err) {

    /**
     * Runs {@code vit4j ARGS...} in this JVM.
     *
     * @param args the arguments
     * @return what it did
     */
    public static CliRun run(String... args) {
        return run(Vit4j::commandLine, args);
    }

    /**
     * Runs a command line in this JVM, with its output and {@code System.err} captured.
     *
     * @param commandLine makes the command line (called after {@code System.err} is swapped:
     *     picocli may make its own writer on it)
     * @param args the arguments
     * @return what it did
     */
    public static CliRun run(Supplier<CommandLine> commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintStream oldErr = System.err;
        ByteArrayOutputStream sysErr = new ByteArrayOutputStream();
        int code;
        try {
            // swapped before the command line exists: picocli may make its own writer on System.err
            System.setErr(new PrintStream(sysErr, true, StandardCharsets.UTF_8));
            CommandLine cl = commandLine.get();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            code = cl.execute(args);
        } finally {
            System.setErr(oldErr);
        }
        return new CliRun(code, out.toString(), err + sysErr.toString(StandardCharsets.UTF_8));
    }

    /** @return stdout's non-blank lines, each parsed as a JSON object */
    public List<JsonObject> jsonLines() {
        List<JsonObject> l = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                l.add(JsonParser.parseString(line).getAsJsonObject());
            }
        }
        return l;
    }

    /** @return the command's own error line ({@code vit4j <command>: ...}); there must be exactly one */
    public String errorLine() {
        List<String> lines = err.lines().filter(l -> l.startsWith("vit4j ")).toList();
        assertEquals(1, lines.size(), err);
        return lines.get(0);
    }
}
