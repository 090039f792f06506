package org.vit4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Normalization;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.image.SizingPolicy;
import org.vit4j.io.OutputFile;
import org.vit4j.model.ViTConfig;
import org.vit4j.patch.PatchPicture;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vit4j patches}: the preprocessed image with its patch grid, optionally scrambled. */
@Command(name = "patches", mixinStandardHelpOptions = true,
        description = "Write a PNG of an image after preprocessing with its patch grid (and scrambled beside it).")
final class PatchesCommand implements Callable<Integer> {

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Mixin Common common;

    @Mixin PixelLimit pixelLimit;

    @Parameters(index = "0", paramLabel = "IMAGE", converter = Converters.ExistingFile.class, description = "The image file.")
    Path image;

    @Option(names = "--model", paramLabel = "DIR", description = "Take size, patch and preprocessing from this model (default: the bundled one, unless --patch/--image-size are given).")
    Path model;

    @Option(names = "--patch", paramLabel = "P", converter = Converters.PositiveInt.class,
            description = "Patch size (with --image-size, instead of a model).")
    Integer patch;

    @Option(names = "--image-size", paramLabel = "S|HxW", description = "Input size (with --patch, instead of a model): resize shorter side and center-crop, RGB.")
    Converters.ImageSize imageSize;

    @Option(names = "--scramble", description = "Also draw the image with its blocks shuffled.")
    boolean scramble;

    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid (default: the patch grid).")
    ShuffleGrid scrambleGrid;

    @Option(names = "--seed", defaultValue = "0", description = "Permutation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", converter = Converters.PngFile.class, description = "Output PNG.")
    Path out;

    @Option(names = "--force", description = "Replace an existing --out file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        if ((patch != null || imageSize != null) && (patch == null || imageSize == null || model != null)) {
            throw Usage.error(spec, "give either --model, or both --patch and --image-size");
        }
        if (!scramble && scrambleGrid != null) {
            throw Usage.error(spec, "--scramble-grid needs --scramble");
        }
        if (!scramble && spec.commandLine().getParseResult().hasMatchedOption("--seed")) {
            throw Usage.error(spec, "--seed needs --scramble");
        }
        if (imageSize != null && imageSize.pixels() > pixelLimit.value()) {
            throw Usage.error(spec, "--image-size " + imageSize + ": " + imageSize.pixels()
                    + " pixels, above the limit of " + pixelLimit.value() + " (--max-pixels)");
        }
        if (patch != null && (imageSize.height() % patch != 0 || imageSize.width() % patch != 0)) {
            throw Usage.error(spec, "--image-size " + imageSize + ": not a multiple of --patch " + patch);
        }
        OutputFile target = Usage.outputFile(spec, "--out", out, force, List.of(image));
        common.device(); // nothing is computed on it, but a device this machine lacks is still refused
        ImagePreprocessor pre;
        int channels;
        if (patch != null) {
            channels = 3;
            pre = ImagePreprocessor.builder().setImageSize(imageSize.height(), imageSize.width()).setPatchSize(patch)
                    .optChannels(3).build();
        } else {
            ViTConfig cfg = common.readConfig(model); // the picture needs the preprocessing, not the weights
            channels = cfg.architecture().channels();
            pre = cfg.preprocessor();
        }
        int fixedH = pre.getHeight();
        int fixedW = pre.getWidth();
        boolean fixed = pre.getPolicy() == SizingPolicy.RESIZE || pre.getPolicy() == SizingPolicy.RESIZE_CROP;
        if (scrambleGrid != null && fixed && (fixedH % scrambleGrid.rows() != 0 || fixedW % scrambleGrid.cols() != 0)) {
            throw Usage.error(spec, "--scramble-grid " + scrambleGrid + ": does not divide the " + fixedH + "x" + fixedW + " input");
        }
        BufferedImage img = pixelLimit.loader(channels).load(image);
        PreprocessedImage p = pre.apply(img, image.toString());
        float[] shown = pre.getNormalization().inverse(p.data(), p.height() * p.width());
        int ps = pre.getPatchSize();
        int scale = Math.max(1, 256 / Math.max(p.height(), p.width()));
        BufferedImage pic = PatchPicture.render(shown, p.channels(), p.height(), p.width(), ps, scale);
        if (scramble) {
            ShuffleGrid g = scrambleGrid == null ? new ShuffleGrid(p.height() / ps, p.width() / ps) : scrambleGrid;
            float[] s = Scrambler.apply(shown, p.channels(), p.height(), p.width(), g, Scrambler.permutation(g.size(), seed));
            pic = PatchPicture.sideBySide(pic, PatchPicture.render(s, p.channels(), p.height(), p.width(), ps, scale));
        }
        Common.writePng(target, pic);
        spec.commandLine().getOut().printf("%s: %dx%d input, %dx%d patches of %d px%s%n", out, p.height(), p.width(),
                p.height() / ps, p.width() / ps, ps, scramble ? ", scrambled copy on the right" : "");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }
}
