package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vit4j.InvalidOptionException;
import org.vit4j.io.OutputDirectory;
import org.vit4j.io.OutputFile;
import org.vit4j.io.RefusedOutputException;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.TypeConversionException;

/**
 * Usage errors, in one form for every command, found before any work starts: picocli's own parse
 * errors, the {@link Converters}' refusals, and the checks a command makes in {@code call()}
 * before it loads anything ({@link #error}). Printed as
 *
 * <pre>
 * vit4j eval: --batch-size 0: must be an integer from 1 to 2147483647
 * Try 'vit4j eval --help' for the options.
 * </pre>
 *
 * and the exit code is {@link ExitCodes#USAGE}.
 */
final class Usage implements CommandLine.IParameterExceptionHandler {

    /**
     * A usage error of a command, for a check that picocli cannot make alone (options that
     * depend on each other or on the model). Thrown from {@code call()}, it is handled like a
     * parse error.
     *
     * @param spec the command
     * @param message {@code OPTION VALUE: REASON}, or a sentence naming the options
     * @return the exception to throw
     */
    static ParameterException error(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * A library's refusal of an option ({@link InvalidOptionException}) as a usage error of the
     * command line: the option's flag ({@code --} and its name in kebab case, {@code labelSmoothing}
     * as {@code --label-smoothing}, or the flag {@code flags} gives for it), the value as it was
     * typed (the library's, where it was not typed) and the library's reason.
     *
     * @param spec the command
     * @param e the refusal
     * @param flags flags of options whose name is not their flag, e.g. {@code warmupEpochs} to {@code --warmup}
     * @return the exception to throw
     */
    static ParameterException invalid(CommandSpec spec, InvalidOptionException e, Map<String, String> flags) {
        String flag = flags.getOrDefault(e.option(), "--" + kebab(e.option()));
        return error(spec, flag + " " + typed(spec, flag, e.value()) + ": " + e.reason());
    }

    /** @return {@code labelSmoothing} as {@code label-smoothing} */
    static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** The value of an option as it was typed (the last, if it was given more than once), else {@code fallback}. */
    private static String typed(CommandSpec spec, String flag, String fallback) {
        ParseResult parsed = spec.commandLine().getParseResult();
        OptionSpec o = parsed == null ? null : parsed.matchedOption(flag);
        if (o == null || o.originalStringValues().isEmpty()) {
            return fallback;
        }
        return o.originalStringValues().get(o.originalStringValues().size() - 1);
    }

    /**
     * Checks an output file before any work ({@link OutputFile}: never an input, an existing file
     * only with {@code --force}, links written through, FIFOs and devices as streams, the
     * directory writable); a refusal is a usage error {@code OPTION PATH: REASON}.
     *
     * @param spec the command
     * @param option the option's name, e.g. {@code --out}
     * @param out the output path
     * @param force whether {@code --force} was given
     * @param inputs the command's input files
     * @return the checked output
     */
    static OutputFile outputFile(CommandSpec spec, String option, Path out, boolean force, Collection<Path> inputs) {
        try {
            return OutputFile.of(out.toString(), force, inputs);
        } catch (RefusedOutputException e) {
            throw error(spec, option + " " + e.getMessage());
        }
    }

    /**
     * Checks an output directory before any work ({@link OutputDirectory}: never an input, a
     * non-empty one only with {@code --force}, its parent existing and writable); a refusal is a
     * usage error {@code OPTION DIR: REASON}.
     *
     * @param spec the command
     * @param option the option's name, e.g. {@code --out}
     * @param out the output directory
     * @param force whether {@code --force} was given
     * @param inputs the command's input paths
     */
    static void outputDirectory(CommandSpec spec, String option, Path out, boolean force, Collection<Path> inputs) {
        try {
            OutputDirectory.of(out.toString(), force, inputs);
        } catch (RefusedOutputException e) {
            throw error(spec, option + " " + e.getMessage());
        }
    }

    @Override
    public int handleParseException(ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        PrintWriter err = cl.getErr();
        String name = qualifiedName(cl);
        err.println(name + ": " + message(e));
        err.println("Try '" + name + " --help' for the options.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * The message of a usage error: {@code OPTION VALUE: REASON} (or {@code LABEL VALUE: REASON})
     * for a value a converter refused, {@code WORD: unknown command; ...}, {@code WORD: unexpected
     * argument; ...} and {@code --OPTION: unknown option} for words no command or option takes,
     * picocli's own text otherwise (a missing required option).
     */
    static String message(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof OptionSpec o) {
            return o.longestName() + " " + e.getValue() + ": " + reason(t);
        }
        if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof PositionalParamSpec p) {
            return p.paramLabel() + " " + e.getValue() + ": " + reason(t);
        }
        CommandSpec command = e.getCommandLine().getCommandSpec();
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            String word = u.getUnmatched().get(0);
            if (u.isUnknownOption()) {
                return word + ": unknown option";
            }
            if (!command.subcommands().isEmpty() && command.positionalParameters().isEmpty()) {
                return unknownCommand(word, command);
            }
            return word + ": unexpected argument; " + takes(command);
        }
        // picocli's help command: "Unknown subcommand 'bogus'." about its parent
        if (e.getArgSpec() == null && e.getValue() != null && e.getMessage() != null
                && e.getMessage().startsWith("Unknown subcommand")) {
            return unknownCommand(e.getValue(), command);
        }
        return e.getMessage();
    }

    /** The reason of a refused value; picocli's own converters say {@code 'x' is not a long}, which repeats the value. */
    private static String reason(TypeConversionException t) {
        String m = t.getMessage() == null ? "" : t.getMessage();
        if (m.matches("(?s)'.*' is not an? (int|long|short|byte|BigInteger)")) {
            return "not an integer";
        }
        if (m.matches("(?s)'.*' is not an? (double|float|BigDecimal)")) {
            return "not a number";
        }
        return m;
    }

    /** {@code bogus: unknown command; the commands are predict, embed, ...} */
    private static String unknownCommand(String word, CommandSpec command) {
        List<String> names = command.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
        return word + ": unknown command; the commands are " + String.join(", ", names);
    }

    /** What a command takes besides its options: {@code vit4j info takes options only}, {@code ... takes one IMAGE}. */
    private static String takes(CommandSpec command) {
        String name = qualifiedName(command.commandLine());
        List<PositionalParamSpec> positional = command.positionalParameters();
        if (positional.isEmpty()) {
            return name + " takes options only";
        }
        List<String> labels = new ArrayList<>();
        for (PositionalParamSpec p : positional) {
            boolean many = p.arity().max() > 1;
            labels.add((p.arity().min() == 0 ? "[" : "") + (many ? "" : "one ") + p.paramLabel() + (many ? "..." : "")
                    + (p.arity().min() == 0 ? "]" : ""));
        }
        return name + " takes " + String.join(" ", labels);
    }

    /** @return e.g. {@code vit4j eval} */
    static String qualifiedName(CommandLine cl) {
        String name = cl.getCommandName();
        for (CommandLine p = cl.getParent(); p != null; p = p.getParent()) {
            name = p.getCommandName() + " " + name;
        }
        return name;
    }
}
