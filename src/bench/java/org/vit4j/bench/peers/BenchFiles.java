package org.vit4j.bench.peers;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Where the benchmark inputs are. Locations come from system properties so that JMH's forked JVMs
 * see the same files as the launcher:
 * <ul>
 *   <li>{@code vit4j.bench.peers} (default {@code target/bench-peers}): the output of {@code export_peers.py}.
 *   <li>{@code vit4j.bench.samples} (default {@code sample-images}): the shipped {@code photo-*.jpg}.
 *   <li>{@code vit4j.bench.images} (default {@code target/bench-images}): the upscaled JPEGs made by
 *       {@link #prepareImages()}.
 * </ul>
 *
 * @param peers the peers directory
 * @param samples the sample-images directory
 * @param images the generated-images directory
 */
public record BenchFiles(Path peers, Path samples, Path images) {

    /** Image sets of the preprocessing benchmark: the photos as shipped, then upscaled to two sizes. */
    public static final List<String> SETS = List.of("sample", "640x427", "1280x853");

    /** @return the locations from the system properties (absolute) */
    public static BenchFiles fromProperties() {
        return new BenchFiles(
                Path.of(System.getProperty("vit4j.bench.peers", "target/bench-peers")).toAbsolutePath(),
                Path.of(System.getProperty("vit4j.bench.samples", "sample-images")).toAbsolutePath(),
                Path.of(System.getProperty("vit4j.bench.images", "target/bench-images")).toAbsolutePath());
    }

    /** @return JVM options that hand these locations to a forked JVM */
    public List<String> asJvmArgs() {
        return List.of("-Dvit4j.bench.peers=" + peers, "-Dvit4j.bench.samples=" + samples, "-Dvit4j.bench.images=" + images);
    }

    /** @return torchvision state dict */
    public Path safetensors() {
        return existing(peers.resolve("vit_ti16.safetensors"));
    }

    /** @return ONNX export */
    public Path onnx() {
        return existing(peers.resolve("vit_ti16.onnx"));
    }

    /** @return TorchScript trace */
    public Path torchscript() {
        return existing(peers.resolve("vit_ti16.pt"));
    }

    /** @return check input {@code (2, 3, 224, 224)} */
    public Path checkInput() {
        return existing(peers.resolve("check_input.npy"));
    }

    /** @return eager torchvision logits of the check input {@code (2, 1000)} */
    public Path checkLogits() {
        return existing(peers.resolve("check_logits.npy"));
    }

    private static Path existing(Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException(p + " not found: run /usr/bin/python3 src/bench/export_peers.py " + p.getParent());
        }
        return p;
    }

    /** @return the shipped photos, sorted */
    public List<Path> photos() {
        try (Stream<Path> s = Files.list(samples)) {
            List<Path> out = s.filter(p -> p.getFileName().toString().matches("photo-.*\\.jpg")).sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no photo-*.jpg in " + samples);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + samples + ": " + e, e);
        }
    }

    /**
     * The files of one image set.
     *
     * @param set one of {@link #SETS}
     * @return the files (each photo once)
     */
    public List<Path> imageSet(String set) {
        if (set.equals("sample")) {
            return photos();
        }
        if (!SETS.contains(set)) {
            throw new IllegalArgumentException("image set '" + set + "' is not one of " + SETS);
        }
        List<Path> out = new ArrayList<>();
        for (Path photo : photos()) {
            Path p = images.resolve(stem(photo) + "-" + set + ".jpg");
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " not found: the launcher makes it (BenchMain) before the benchmarks");
            }
            out.add(p);
        }
        return out;
    }

    /**
     * Writes each photo upscaled (bicubic, Java2D) to every size of {@link #SETS} except "sample",
     * as a JPEG of quality 0.9, unless the file is already there.
     *
     * @throws IOException if a photo cannot be read or a file written
     */
    public void prepareImages() throws IOException {
        Files.createDirectories(images);
        for (Path photo : photos()) {
            BufferedImage src = null;
            for (String set : SETS.subList(1, SETS.size())) {
                Path out = images.resolve(stem(photo) + "-" + set + ".jpg");
                if (Files.isRegularFile(out)) {
                    continue;
                }
                if (src == null) {
                    src = ImageIO.read(photo.toFile());
                    if (src == null) {
                        throw new IOException("ImageIO cannot read " + photo);
                    }
                }
                String[] wh = set.split("x");
                writeJpeg(scale(src, Integer.parseInt(wh[0]), Integer.parseInt(wh[1])), out, 0.9f);
            }
        }
    }

    private static BufferedImage scale(BufferedImage src, int w, int h) {
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return dst;
    }

    private static void writeJpeg(BufferedImage img, Path out, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(quality);
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(tmp.toFile())) {
            writer.setOutput(ios);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /**
     * Seeded N(0, 1) images.
     *
     * @param batch B
     * @param height H
     * @param width W
     * @param seed seed
     * @return {@code (B, 3, H, W)} in C order
     */
    public static float[] randomImages(int batch, int height, int width, long seed) {
        Random r = new Random(seed);
        float[] x = new float[batch * 3 * height * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    /** @return intra-op threads from {@code vit4j.bench.threads}, 0 for each engine's default */
    public static int threads() {
        return Integer.getInteger("vit4j.bench.threads", 0);
    }
}
