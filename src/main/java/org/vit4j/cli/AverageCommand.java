package org.vit4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.vit4j.io.IoErrors;
import org.vit4j.io.WriteFailedException;
import org.vit4j.train.WeightAverage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vit4j average}: the mean of several models' weights (timm's avg_checkpoints). */
@Command(name = "average", mixinStandardHelpOptions = true,
        description = "Average the weights of models of one architecture (e.g. a run's last checkpoints) into a new model.")
final class AverageCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Parameters(arity = "1..*", paramLabel = "MODEL_DIR", description = "Model or checkpoint directories.")
    List<Path> models;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output model directory (new or empty, never one of the inputs).")
    Path out;

    @Option(names = "--force", description = "Write into --out even if it is not empty (its model files are replaced).")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Usage.outputDirectory(spec, "--out", out, force, models);
        common.device(); // nothing runs on it, but a device this machine lacks is refused as everywhere
        try {
            WeightAverage.average(models, out);
        } catch (WriteFailedException e) {
            throw e; // the result could not be saved: exit 1, as every command's
        } catch (IOException e) {
            throw new ModelLoadFailure(IoErrors.describe(e), e);
        }
        if (models.size() == 1) {
            common.note("one model given: " + out + " is a copy of " + models.get(0));
            spec.commandLine().getOut().printf("copied 1 model -> %s%n", out);
        } else {
            spec.commandLine().getOut().printf("averaged %d models -> %s%n", models.size(), out);
        }
        return ExitCodes.OK;
    }
}
