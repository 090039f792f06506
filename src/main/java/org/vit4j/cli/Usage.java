package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Collection;
import org.vit4j.io.OutputDirectory;
import org.vit4j.io.OutputFile;
import org.vit4j.io.RefusedOutputException;
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
