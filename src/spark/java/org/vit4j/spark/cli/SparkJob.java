package org.vit4j.spark.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.vit4j.Offline;
import org.vit4j.cli.ExitCodes;
import org.vit4j.cli.Vit4j;
import org.vit4j.spark.ModelUnavailableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Main class of the Spark job, for {@code ./vit4j spark} and {@code spark-submit --class
 * org.vit4j.spark.cli.SparkJob}. It fails as {@code vit4j} does ({@link Vit4j#configure}): usage
 * errors in one form with exit 2, one line per failure with the exit code of {@link ExitCodes#of},
 * no stack trace (not even in Spark's log lines) without {@code --verbose}.
 */
@Command(name = "vit4j spark", mixinStandardHelpOptions = true,
        description = "vit4j on Apache Spark: batch predictions and embeddings.",
        subcommands = {PredictJob.class})
public final class SparkJob implements Callable<Integer> {

    /**
     * The system property that the log configuration ({@code src/spark/conf/log4j2.properties})
     * appends to each log line: the stack trace with {@code --verbose}, nothing otherwise.
     */
    public static final String LOG_TRACE_PROPERTY = "vit4j.log.trace";

    /**
     * The system property with the pattern the log configuration cuts from each message (a
     * stack trace Spark pasted into it); with {@code --verbose} one that never matches.
     */
    public static final String LOG_CUT_PROPERTY = "vit4j.log.cut";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    /**
     * Entry point.
     *
     * @param args command-line arguments, e.g. {@code predict --input DIR --output DIR}
     */
    public static void main(String[] args) {
        // before Spark starts logging: its lines carry stack traces only with --verbose
        if (List.of(args).contains("--verbose") || List.of(args).contains("-v")) {
            System.setProperty(LOG_TRACE_PROPERTY, "%ex");
            System.setProperty(LOG_CUT_PROPERTY, "(?!)");
        }
        System.exit(commandLine().execute(args));
    }

    /**
     * The configured command line (exit codes and error printing set), for tests.
     *
     * @return the command line
     */
    public static CommandLine commandLine() {
        Offline.ensure();
        CommandLine cl = Vit4j.configure(new CommandLine(new SparkJob()));
        cl.setExecutionExceptionHandler(SparkJob::handle);
        return cl;
    }

    private static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        boolean verbose = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            verbose |= p.hasMatchedOption("--verbose");
        }
        // a model that cannot be loaded decides the exit code wherever Spark wrapped it
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ModelUnavailableException) {
                return Vit4j.report(c, cl, verbose);
            }
        }
        return Vit4j.report(e, cl, verbose);
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", spec.subcommands().keySet()));
    }
}
