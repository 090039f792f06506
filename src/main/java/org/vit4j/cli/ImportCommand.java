package org.vit4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.ImportResult;
import org.vit4j.interop.Source;
import org.vit4j.position.PosEmbedResampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vit4j import}: a timm, Hugging Face or torchvision safetensors checkpoint to a vit4j model directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a ViT checkpoint (safetensors) from timm, Hugging Face or torchvision into a vit4j model directory.")
final class ImportCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Option(names = "--from", required = true, paramLabel = "timm|hf|torchvision", description = "Naming scheme of the checkpoint.")
    String from;

    @Parameters(index = "0", paramLabel = "WEIGHTS.safetensors", description = "The checkpoint.")
    Path weights;

    @Option(names = "--config", paramLabel = "FILE.json", description = "The source's config.json (heads, labels, image size), if it has one; a timm hub config naming a known \"architecture\" (DINOv2, DINOv3, RoPE-ViT, ViT, DeiT) gives the whole architecture.")
    Path config;

    @Option(names = "--image-size", paramLabel = "S|HxW", description = "Run at another size than the checkpoint's (position embeddings resampled).")
    String imageSize;

    @Option(names = "--pos-resample", defaultValue = "timm", paramLabel = "timm|hf",
            description = "Resampling of learned position embeddings: timm (antialiased bicubic) or hf (plain bicubic) (default: ${DEFAULT-VALUE}).")
    String posResample;

    @Option(names = "--labels", paramLabel = "FILE", description = "Class names, one per line (default: ImageNet-1k names for 1000 classes).")
    Path labels;

    @Option(names = "--heads", paramLabel = "N", description = "Attention heads, for widths other than 192/384/768/1024/1280.")
    Integer heads;

    @Option(names = "--num-classes", paramLabel = "K", description = "For checkpoints without a classifier: attach a new random head of K classes.")
    Integer numClasses;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Output model directory.")
    Path out;

    @Override
    public Integer call() throws Exception {
        CheckpointImporter.Builder b = CheckpointImporter.builder()
                .setSource(Source.fromName(from))
                .setWeights(weights)
                .optPosResample(mode(posResample));
        if (config != null) {
            b.optSourceConfig(config);
        }
        if (imageSize != null) {
            int[] hw = PatchesCommand.parseSize(imageSize);
            b.optImageSize(hw[0], hw[1]);
        }
        if (labels != null) {
            b.optLabels(readLabels(labels));
        }
        if (heads != null) {
            b.optHeads(heads);
        }
        if (numClasses != null) {
            b.optNumClasses(numClasses);
        }
        ImportResult r;
        try {
            r = b.build().importTo(out);
        } catch (IOException e) {
            throw new ModelLoadFailure(e.getMessage(), e);
        }
        if (!common.quiet) {
            r.notes().forEach(n -> spec.commandLine().getErr().println("note: " + n));
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "imported %d tensors from %s -> %s%n%s%n", r.sourceTensors(),
                weights, r.directory(), r.config());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private static PosEmbedResampler.Mode mode(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "timm":
                return PosEmbedResampler.Mode.TIMM;
            case "hf":
                return PosEmbedResampler.Mode.HF;
            default:
                throw new IllegalArgumentException("--pos-resample '" + s + "' is not one of timm, hf");
        }
    }

    private static List<String> readLabels(Path file) {
        try {
            List<String> l = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    l.add(line.strip());
                }
            }
            return l;
        } catch (IOException e) {
            throw new IllegalArgumentException("--labels " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
    }
}
