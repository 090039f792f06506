package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import org.vit4j.Offline;
import org.vit4j.io.IoErrors;
import org.vit4j.model.DeviceSetting;
import org.vit4j.patch.ShuffleGrid;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The {@code vit4j} command: a thin layer that parses, calls the library and prints. */
@Command(
        name = "vit4j",
        mixinStandardHelpOptions = true,
        versionProvider = Vit4j.Version.class,
        description = "Vision Transformers on Deep Java Library: classify, embed, train, import.",
        subcommands = {
            PredictCommand.class,
            EmbedCommand.class,
            EvalCommand.class,
            PatchesCommand.class,
            PosembCommand.class,
            AttentionCommand.class,
            InfoCommand.class,
            TrainCommand.class,
            AverageCommand.class,
            ImportCommand.class,
            BenchCommand.class,
            SparkCommand.class,
            ServeCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Vit4j implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * Entry point.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line (exit codes and error printing set), for tests and embedding.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        Offline.ensure();
        return configure(new CommandLine(new Vit4j()));
    }

    /**
     * Sets up a command line as {@code vit4j}'s: its converters, usage errors in one form with the
     * hint to {@code --help} (exit 2), failures as one line with an exit code from {@link
     * ExitCodes#of} (stack traces only with {@code --verbose}), and the version on every
     * subcommand. {@code vit4j spark} uses it too, so both fail alike.
     *
     * @param cl a command line
     * @return {@code cl}
     */
    public static CommandLine configure(CommandLine cl) {
        cl.registerConverter(ShuffleGrid.class, new Converters.Grid());
        cl.registerConverter(Converters.ImageSize.class, new Converters.Size());
        cl.registerConverter(DeviceSetting.class, new Converters.Device());
        cl.setParameterExceptionHandler(new Usage());
        cl.setExecutionExceptionHandler(Vit4j::handle);
        versionEverywhere(cl, new Version());
        return cl;
    }

    /** Every failure maps to one line on stderr and an exit code; stack traces only with --verbose. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.hasMatchedOption("--verbose") || parsed.hasMatchedOption("-v");
        for (CommandLine.ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
            verbose |= sub.hasMatchedOption("--verbose") || sub.hasMatchedOption("-v");
        }
        return report(e, cl, verbose);
    }

    /**
     * Prints a failure as every command does and returns its exit code ({@link ExitCodes#of}):
     * {@code NAME: MESSAGE} on stderr, the hint to {@code --help} after a usage error, the stack
     * trace only when {@code verbose}. Shared by {@code vit4j} and {@code vit4j spark}.
     *
     * @param e the failure
     * @param cl the command that failed
     * @param verbose whether to print the stack trace
     * @return the exit code
     */
    public static int report(Throwable e, CommandLine cl, boolean verbose) {
        PrintWriter err = cl.getErr();
        String msg = e instanceof IOException io ? IoErrors.describe(io)
                : e.getMessage() == null ? e.toString() : e.getMessage();
        int code = ExitCodes.of(e);
        String name = Usage.qualifiedName(cl);
        err.println(name + ": " + msg);
        if (code == ExitCodes.USAGE) {
            err.println("Try '" + name + " --help' for the options.");
        }
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /**
     * Gives every subcommand the top command's version, so that {@code vit4j predict --version}
     * prints it (picocli's standard options print nothing without a provider).
     *
     * @param cl a command line
     * @param version its version provider
     */
    public static void versionEverywhere(CommandLine cl, IVersionProvider version) {
        cl.getCommandSpec().versionProvider(version);
        cl.getSubcommands().values().forEach(sub -> versionEverywhere(sub, version));
    }

    /** Without a command: the usage on stderr, and a usage error (exit 2). */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw Usage.error(spec, "a command is required: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Reads the version from the jar manifest. */
    public static final class Version implements IVersionProvider {
        /** The provider of {@code vit4j} and its subcommands. */
        public Version() {}

        @Override
        public String[] getVersion() {
            String v = Vit4j.class.getPackage().getImplementationVersion();
            return new String[] {"vit4j " + (v == null ? "(development build)" : v)};
        }
    }
}
