package org.vit4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.infer.BundledModel;
import org.vit4j.model.Architecture;
import org.vit4j.model.ModelCost;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.Preprocessing;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.PositionScaling;
import org.vit4j.train.TrainingProvenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j info}: what a model is. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's configuration, size, FLOPs, patch grid, labels and how it was trained.")
final class InfoCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin ForwardOptions forward;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory (default: the bundled model).")
    Path model;

    @Override
    public Integer call() throws Exception {
        try (VitModel m = common.loadModel(model, common.device()); InferenceForward f = forward.open(m)) {
            ViTConfig c = m.getConfig();
            Architecture a = c.architecture();
            Preprocessing p = c.preprocessing();
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "model:        %s%n", model == null ? "bundled (Fashion-MNIST)" : model);
            out.printf(Locale.ROOT, "input:        %dx%d, %d channel(s), sizing %s, %s, crop %.3f%n", a.imageHeight(),
                    a.imageWidth(), a.channels(), p.sizing().cliName(), p.interpolation().cliName(), p.cropPct());
            out.printf(Locale.ROOT, "normalize:    mean %s std %s%n", p.mean(), p.std());
            out.printf(Locale.ROOT, "patch grid:   %s of %d px = %d patches%n", a.grid().shape(), a.patchSize(), a.grid().size());
            out.printf(Locale.ROOT, "encoder:      width %d, depth %d, heads %d, MLP %d%n", a.width(), a.depth(), a.heads(), a.mlpHidden());
            out.printf(Locale.ROOT, "tokens:       class token %s, %d register(s), pooling %s%n", a.classToken() ? "yes" : "no",
                    a.registerTokens(), a.pooling().cliName());
            out.printf(Locale.ROOT, "position:     %s%s%s%s%n", a.positionName(),
                    a.posEmb() == PositionEmbeddingKind.NONE && a.rope().isRope() ? ""
                            : " (" + a.posEmbLayout().cliName() + ")",
                    a.rope().isRope() ? String.format(Locale.ROOT, ", rope theta %s, %s pairs, %s axes",
                            a.ropeTheta(), a.ropeLayout().cliName(), a.ropeIndexing().cliName()) : "",
                    a.positionScaling() == PositionScaling.INTERPOLATE ? ", other grids interpolated" : "");
            if (a.layerScale() > 0) {
                out.printf(Locale.ROOT, "layer scale:  init %s%n", a.layerScale());
            }
            out.printf(Locale.ROOT, "parameters:   %,d%n", ModelCost.parameters(c));
            out.printf(Locale.ROOT, "FLOPs/image:  %s (2 per multiply-add)%n", si(ModelCost.flopsPerImage(c)));
            out.printf(Locale.ROOT, "forward:      %s%n", f.describe());
            out.printf(Locale.ROOT, "linear:       %s%n", f.describeLinearKernels());
            out.printf(Locale.ROOT, "attention:    %s%n", f.describeAttentionKernel());
            for (org.vit4j.compiled.KernelMeasurement k : f.kernelMeasurements()) {
                out.printf(Locale.ROOT, "kernel:       %s%n", k.describe());
            }
            out.printf(Locale.ROOT, "classes:      %d: %s%n", a.numClasses(), abbreviate(String.join(", ", m.getLabels())));
            printTrained(out);
            out.flush();
            return ExitCodes.OK;
        }
    }

    /** The "trained:" section: how the model was trained, as saved with it, or that it was not recorded. */
    private void printTrained(PrintWriter out) {
        TrainingProvenance t;
        try {
            t = TrainingProvenance.read(model == null ? BundledModel.files() : ModelFiles.of(model));
        } catch (IOException e) {
            out.printf(Locale.ROOT, "trained:      unreadable (%s)%n", e.getMessage());
            return;
        }
        String bundled = model == null ? " (the bundled model: see docs/bundled-model.md)" : "";
        if (t == null) {
            out.printf(Locale.ROOT, "trained:      not recorded (not trained by vit4j train, or saved before it"
                    + " recorded how)%s%n", bundled);
            return;
        }
        out.printf(Locale.ROOT, "trained:      %s of %d epochs%s%s%n",
                t.epoch() > 0 ? "epoch " + t.epoch() : "epochs", t.epochs(),
                t.validationAccuracy() == null ? ""
                        : String.format(Locale.ROOT, ", validation accuracy %.2f%%", 100 * t.validationAccuracy()),
                bundled);
        out.printf(Locale.ROOT, "  data:       %s%n", t.data() == null ? "not recorded" : t.data());
        out.printf(Locale.ROOT, "  recipe:     %s%n", t.recipe().describe());
        out.printf(Locale.ROOT, "  cpu:        %s%n", t.cpu() == null ? "not recorded" : t.cpu()
                + (t.device() == null ? "" : " (device " + t.device() + ")"));
        out.printf(Locale.ROOT, "  date:       %s%n", t.date() == null ? "not recorded"
                : t.date() + (t.vit4j() == null ? "" : ", vit4j " + t.vit4j()));
    }

    /** Three significant digits with an SI prefix: {@code 69.3 M}, {@code 1.26 G}, {@code 17.6 G}. */
    static String si(double v) {
        String[] prefixes = {"", " k", " M", " G", " T", " P"};
        int p = 0;
        while (Math.abs(v) >= 1000 && p < prefixes.length - 1) {
            v /= 1000;
            p++;
        }
        String digits = Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f";
        return String.format(Locale.ROOT, digits, v) + prefixes[p];
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 197) + "...";
    }
}
