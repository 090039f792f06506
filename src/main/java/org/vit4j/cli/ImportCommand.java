package org.vit4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.vit4j.InvalidOptionException;
import org.vit4j.interop.CheckpointException;
import org.vit4j.interop.CheckpointImporter;
import org.vit4j.interop.ImportResult;
import org.vit4j.model.ModelDirectory;
import org.vit4j.interop.Source;
import org.vit4j.position.PosEmbedResampler;
import org.vit4j.io.IoErrors;
import org.vit4j.io.WriteFailedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code vit4j import}: a timm, Hugging Face or torchvision safetensors checkpoint to a vit4j model directory. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a ViT checkpoint (safetensors) from timm, Hugging Face or torchvision into a vit4j model directory.")
final class ImportCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Option(names = "--from", required = true, paramLabel = "timm|hf|torchvision", converter = SourceName.class,
            description = "Naming scheme of the checkpoint.")
    Source from;

    @Parameters(index = "0", paramLabel = "WEIGHTS.safetensors", converter = Converters.ExistingFile.class, description = "The checkpoint.")
    Path weights;

    @Option(names = "--config", paramLabel = "FILE.json", converter = Converters.ExistingFile.class,
            description = "The source's config.json (heads, labels, image size), if it has one; a timm hub config naming a known \"architecture\" (DINOv2, DINOv3, RoPE-ViT, ViT, DeiT) gives the whole architecture.")
    Path config;

    @Option(names = "--image-size", paramLabel = "S|HxW", description = "Run at another size than the checkpoint's (position embeddings resampled).")
    Converters.ImageSize imageSize;

    @Option(names = "--pos-resample", defaultValue = "timm", paramLabel = "timm|hf", converter = ResampleName.class,
            description = "Resampling of learned position embeddings: timm (antialiased bicubic) or hf (plain bicubic) (default: ${DEFAULT-VALUE}).")
    PosEmbedResampler.Mode posResample;

    @Option(names = "--labels", paramLabel = "FILE", converter = Converters.ExistingFile.class,
            description = "Class names, one per line (default: ImageNet-1k names for 1000 classes).")
    Path labels;

    @Option(names = "--heads", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Attention heads, for widths other than 192/384/768/1024/1280.")
    Integer heads;

    @Option(names = "--num-classes", paramLabel = "K", converter = Converters.PositiveInt.class,
            description = "For checkpoints without a classifier: attach a new random head of K classes.")
    Integer numClasses;

    @Option(names = "--out", required = true, paramLabel = "MODEL_DIR", description = "Output model directory (new or empty).")
    Path out;

    @Option(names = "--force", description = "Write into --out even if it is not empty (its model files are replaced).")
    boolean force;

    /** {@code timm}, {@code hf} or {@code torchvision}. */
    static final class SourceName implements ITypeConverter<Source> {
        @Override
        public Source convert(String s) {
            try {
                return Source.fromName(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(Converters.validOnly(e));
            }
        }
    }

    /** {@code timm} or {@code hf}. */
    static final class ResampleName extends Converters.Names<PosEmbedResampler.Mode> {
        ResampleName() {
            super(PosEmbedResampler.Mode.class);
        }
    }

    @Override
    public Integer call() throws Exception {
        List<Path> inputs = new ArrayList<>(List.of(weights));
        for (Path p : new Path[] {config, labels}) {
            if (p != null) {
                inputs.add(p);
            }
        }
        Usage.outputDirectory(spec, "--out", out, force, inputs);
        common.device(); // nothing runs on it, but a device this machine lacks is refused as everywhere
        List<String> names = labels == null ? null : readLabels(labels);
        CheckpointImporter.Builder b = CheckpointImporter.builder()
                .setSource(from)
                .setWeights(weights)
                .optPosResample(posResample);
        if (config != null) {
            b.optSourceConfig(config);
        }
        if (imageSize != null) {
            b.optImageSize(imageSize.height(), imageSize.width());
        }
        if (names != null) {
            b.optLabels(names);
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
        } catch (InvalidOptionException e) {
            throw Usage.invalid(spec, e, Map.of()); // --heads, --image-size, --labels that the checkpoint contradicts
        } catch (WriteFailedException e) {
            throw e; // the result could not be saved: exit 1, as every command's
        } catch (CheckpointException e) {
            // where the tensor names are another layout's, the option that reads them
            String hint = e.likelySource() == null ? "" : "; it looks like a " + e.likelySource().cliName()
                    + " checkpoint (try --from " + e.likelySource().cliName() + ")";
            throw new ModelLoadFailure(e.summary() + hint + ":\n  " + String.join("\n  ", e.details()), e);
        } catch (IOException e) {
            throw new ModelLoadFailure(IoErrors.describe(e), e);
        }
        if (!common.quiet) {
            r.notes().forEach(n -> spec.commandLine().getErr().println("note: " + n));
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "imported %d tensors from %s -> %s%n%s%n", r.sourceTensors(),
                weights, r.directory(), r.config());
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private List<String> readLabels(Path file) {
        try {
            return ModelDirectory.parseLabels(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Usage.error(spec, "--labels " + IoErrors.describe(e));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--labels " + file + ": " + e.getMessage());
        }
    }
}
