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
        description = "Vision Transformer patch embeddings on Deep Java Library.",
        subcommands = {
            PredictCommand.class,
            EmbedCommand.class,
            EvalCommand.class,
            PatchesCommand.class,
            PosembCommand.class,
            InfoCommand.class,
            TrainCommand.class,
            AverageCommand.class,
            ImportCommand.class,
            BenchCommand.class,
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
        CommandLine cl = new CommandLine(new Vit4j());
        cl.registerConverter(ShuffleGrid.class, new Converters.Grid());
        cl.registerConverter(Converters.ImageSize.class, new Converters.Size());
        cl.registerConverter(DeviceSetting.class, new Converters.Device());
        cl.setParameterExceptionHandler(new Usage());
        cl.setExecutionExceptionHandler(Vit4j::handle);
        return cl;
    }

    /** Every failure maps to one line on stderr and an exit code; stack traces only with --verbose. */
    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = parsed.hasMatchedOption("--verbose") || parsed.hasMatchedOption("-v");
        for (CommandLine.ParseResult sub = parsed.subcommand(); sub != null; sub = sub.subcommand()) {
            verbose |= sub.hasMatchedOption("--verbose") || sub.hasMatchedOption("-v");
        }
        int code;
        String msg = e instanceof IOException io ? IoErrors.describe(io)
                : e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof ModelLoadFailure) {
            code = ExitCodes.MODEL;
        } else if (e instanceof IllegalArgumentException) {
            code = ExitCodes.USAGE;
        } else {
            code = ExitCodes.SOME_FAILED;
        }
        err.println("vit4j " + cl.getCommandName() + ": " + msg);
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Without a command: the usage on stderr, and a usage error (exit 2). */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw Usage.error(spec, "a command is required: " + String.join(", ", spec.subcommands().keySet()));
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Vit4j.class.getPackage().getImplementationVersion();
            return new String[] {"vit4j " + (v == null ? "(development build)" : v)};
        }
    }
}
