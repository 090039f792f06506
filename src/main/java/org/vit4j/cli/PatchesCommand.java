package org.vit4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Normalization;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;
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

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image file.")
    Path image;

    @Option(names = "--model", paramLabel = "DIR", description = "Take size, patch and preprocessing from this model (default: the bundled one, unless --patch/--image-size are given).")
    Path model;

    @Option(names = "--patch", paramLabel = "P", description = "Patch size (with --image-size, instead of a model).")
    Integer patch;

    @Option(names = "--image-size", paramLabel = "S|HxW", description = "Input size (with --patch, instead of a model): resize shorter side and center-crop, RGB.")
    String imageSize;

    @Option(names = "--scramble", description = "Also draw the image with its blocks shuffled.")
    boolean scramble;

    @Option(names = "--scramble-grid", paramLabel = "RxC", description = "Shuffle grid (default: the patch grid).")
    String scrambleGrid;

    @Option(names = "--seed", defaultValue = "0", description = "Permutation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE.png", description = "Output PNG.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ImagePreprocessor pre;
        int channels;
        if (patch != null || imageSize != null) {
            if (patch == null || imageSize == null || model != null) {
                throw new IllegalArgumentException("give either --model, or both --patch and --image-size");
            }
            int[] hw = parseSize(imageSize);
            channels = 3;
            pre = ImagePreprocessor.builder().setImageSize(hw[0], hw[1]).setPatchSize(patch).optChannels(3).build();
        } else {
            common.device();
            ViTConfig cfg;
            try (VitModel m = common.loadModel(model, ai.djl.Device.cpu())) {
                cfg = m.getConfig();
            }
            channels = cfg.getChannels();
            pre = cfg.preprocessor();
        }
        BufferedImage img = ImageLoader.builder().optChannels(channels).build().load(image);
        PreprocessedImage p = pre.apply(img, image.toString());
        float[] shown = denormalize(p, pre.getNormalization());
        int ps = pre.getPatchSize();
        int scale = Math.max(1, 256 / Math.max(p.height(), p.width()));
        BufferedImage pic = PatchPicture.render(shown, p.channels(), p.height(), p.width(), ps, scale);
        if (scramble) {
            ShuffleGrid g = scrambleGrid == null ? new ShuffleGrid(p.height() / ps, p.width() / ps) : ShuffleGrid.parse(scrambleGrid);
            float[] s = Scrambler.apply(shown, p.channels(), p.height(), p.width(), g, Scrambler.permutation(g.size(), seed));
            pic = PatchPicture.sideBySide(pic, PatchPicture.render(s, p.channels(), p.height(), p.width(), ps, scale));
        } else if (scrambleGrid != null) {
            throw new IllegalArgumentException("--scramble-grid needs --scramble");
        }
        Common.writePng(out, pic);
        spec.commandLine().getOut().printf("%s: %dx%d input, %dx%d patches of %d px%s%n", out, p.height(), p.width(),
                p.height() / ps, p.width() / ps, ps, scramble ? ", scrambled copy on the right" : "");
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    static int[] parseSize(String s) {
        try {
            String[] parts = s.toLowerCase(java.util.Locale.ROOT).split("x");
            if (parts.length == 1) {
                int v = Integer.parseInt(parts[0].trim());
                return new int[] {v, v};
            }
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // fall through to the message
        }
        throw new IllegalArgumentException("size '" + s + "' is not of the form S or HxW, e.g. 224 or 224x320");
    }

    private static float[] denormalize(PreprocessedImage p, Normalization n) {
        float[] mean = n.mean();
        float[] std = n.std();
        int plane = p.height() * p.width();
        float[] x = p.data().clone();
        for (int c = 0; c < p.channels(); c++) {
            for (int i = 0; i < plane; i++) {
                x[c * plane + i] = x[c * plane + i] * std[c] + mean[c];
            }
        }
        return x;
    }
}
