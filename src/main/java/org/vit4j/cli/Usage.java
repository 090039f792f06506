package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
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
     * Refuses an output directory that would overwrite work: one that exists and is not empty
     * (unless {@code force}), or one that is also an input.
     *
     * @param spec the command
     * @param option the option's name, e.g. {@code --out}
     * @param out the output directory
     * @param force whether {@code --force} was given
     * @param inputs the command's input paths
     */
    static void requireFreshOutput(CommandSpec spec, String option, Path out, boolean force, List<Path> inputs) {
        for (Path in : inputs) {
            if (samePath(in, out)) {
                throw error(spec, option + " " + out + ": is also an input; write to another directory");
            }
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw error(spec, option + " " + out + ": exists and is not a directory");
        }
        if (!force && Files.isDirectory(out) && !isEmpty(out)) {
            throw error(spec, option + " " + out + ": exists and is not empty; choose a new directory, or add --force to overwrite");
        }
    }

    private static boolean samePath(Path a, Path b) {
        try {
            if (Files.exists(a) && Files.exists(b)) {
                return Files.isSameFile(a, b);
            }
        } catch (IOException e) {
            // fall back to comparing the names
        }
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
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

    /** {@code OPTION VALUE: REASON} (or {@code LABEL VALUE: REASON}) for a value a converter refused; picocli's own text otherwise. */
    static String message(ParameterException e) {
        if (e.getCause() instanceof TypeConversionException && e.getArgSpec() instanceof OptionSpec o) {
            return o.longestName() + " " + e.getValue() + ": " + e.getCause().getMessage();
        }
        if (e.getCause() instanceof TypeConversionException && e.getArgSpec() instanceof PositionalParamSpec p) {
            return p.paramLabel() + " " + e.getValue() + ": " + e.getCause().getMessage();
        }
        return e.getMessage();
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
