package org.vit4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.model.ModelCost;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
import org.vit4j.position.PositionEmbeddingKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vit4j info}: what a model is. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's configuration, size, FLOPs, patch grid and labels.")
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
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "model:        %s%n", model == null ? "bundled (Fashion-MNIST)" : model);
            out.printf(Locale.ROOT, "input:        %dx%d, %d channel(s), sizing %s, %s, crop %.3f%n", c.getImageHeight(),
                    c.getImageWidth(), c.getChannels(), c.getSizing().cliName(), c.getInterpolation().cliName(), c.getCropPct());
            out.printf(Locale.ROOT, "normalize:    mean %s std %s%n", java.util.Arrays.toString(c.getMean()), java.util.Arrays.toString(c.getStd()));
            out.printf(Locale.ROOT, "patch grid:   %s of %d px = %d patches%n", c.getGrid().shape(), c.getPatchSize(), c.getGrid().size());
            out.printf(Locale.ROOT, "encoder:      width %d, depth %d, heads %d, MLP %d%n", c.getWidth(), c.getDepth(), c.getHeads(), c.getMlpHidden());
            out.printf(Locale.ROOT, "tokens:       class token %s, %d register(s), pooling %s%n", c.hasClassToken() ? "yes" : "no",
                    c.getRegisterTokens(), c.getPooling().cliName());
            out.printf(Locale.ROOT, "position:     %s%s%s%n", c.getPositionName(),
                    c.getPosEmb() == PositionEmbeddingKind.NONE && c.getRope().isRope() ? ""
                            : " (" + c.getPosEmbLayout().cliName() + ")",
                    c.getRope().isRope() ? String.format(Locale.ROOT, ", rope theta %s, %s pairs, %s axes",
                            c.getRopeTheta(), c.getRopeLayout().cliName(), c.getRopeIndexing().cliName()) : "");
            if (c.getLayerScale() > 0) {
                out.printf(Locale.ROOT, "layer scale:  init %s%n", c.getLayerScale());
            }
            out.printf(Locale.ROOT, "parameters:   %,d%n", ModelCost.parameters(c));
            out.printf(Locale.ROOT, "FLOPs/image:  %s (2 per multiply-add)%n", si(ModelCost.flopsPerImage(c)));
            out.printf(Locale.ROOT, "forward:      %s%n", f.describe());
            out.printf(Locale.ROOT, "linear:       %s%n", f.describeLinearKernels());
            out.printf(Locale.ROOT, "classes:      %d: %s%n", c.getNumClasses(), abbreviate(String.join(", ", m.getLabels())));
            out.flush();
            return ExitCodes.OK;
        }
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
