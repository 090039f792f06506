package org.vit4j.spark.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.vit4j.Offline;
import org.vit4j.cli.ExitCodes;
import org.vit4j.spark.ModelUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main class of the Spark job, for {@code ./vit4j spark} and {@code spark-submit --class
 * org.vit4j.spark.cli.SparkJob}. Exit codes as {@code vit4j}: 0 all inputs classified, 1 some
 * failed (error rows), 2 bad command line, 3 the model cannot be loaded.
 */
@Command(name = "vit4j spark", mixinStandardHelpOptions = true,
        description = "vit4j on Apache Spark: batch predictions and embeddings.",
        subcommands = {PredictJob.class})
public final class SparkJob implements Callable<Integer> {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * Entry point.
     *
     * @param args command-line arguments, e.g. {@code predict --input DIR --output DIR}
     */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line (exit codes and error printing set), for tests.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        Offline.ensure();
        CommandLine cl = new CommandLine(new SparkJob());
        cl.setExecutionExceptionHandler(SparkJob::handle);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        int code;
        String msg = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof ModelUnavailableException) {
            code = ExitCodes.MODEL;
        } else if (e instanceof IllegalArgumentException) {
            code = ExitCodes.USAGE;
        } else {
            code = ExitCodes.SOME_FAILED;
        }
        err.println("vit4j spark " + cl.getCommandName() + ": " + msg);
        boolean verbose = parsed.subcommand() != null && parsed.subcommand().hasMatchedOption("--verbose");
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return ExitCodes.USAGE;
    }
}
