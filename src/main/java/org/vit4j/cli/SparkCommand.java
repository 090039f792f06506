package org.vit4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;
import picocli.CommandLine.Spec;

/**
 * {@code vit4j spark}: listed here so that {@code vit4j --help} shows it; the launcher runs it
 * ({@code ./vit4j spark ...} starts the Spark job's own main class from the Spark build), so a run
 * that reaches this class was started without the launcher.
 */
@Command(name = "spark", mixinStandardHelpOptions = true,
        description = "Batch predictions on Apache Spark (./vit4j spark predict --help; the launcher builds it with Maven's spark profile).")
final class SparkCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** The Spark job's command line, e.g. {@code predict --input DIR --output DIR}. */
    @Unmatched List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        throw Usage.error(spec, "the Spark job runs through the launcher: ./vit4j spark "
                + (args.isEmpty() ? "predict --help" : String.join(" ", args))
                + " (or spark-submit --class org.vit4j.spark.cli.SparkJob target/vit4j-spark.jar)");
    }
}
