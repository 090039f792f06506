package org.vit4j.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vit4j.InvalidOptionException;
import org.vit4j.compiled.Precision;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.patch.Scrambler;
import org.vit4j.patch.ShuffleGrid;

/**
 * The attention view of an {@link InferenceModel}: where the heads look. For each image, the
 * attention probabilities of every block and head ({@link AttentionMaps}), computed by the model's
 * forward: the compiled program's {@code attention_maps} or the eager blocks (they agree within
 * 1e-5), in fp32 only (a bf16 forward is refused).
 *
 * <pre>{@code
 * try (InferenceModel model = InferenceModel.bundled(Device.cpu())) {
 *     AttentionMaps maps = model.attention().maps(Path.of("shirt.png"));
 *     float[] all = maps.values();                  // (L, H, T, T)
 *     float[][] rollout = maps.rollout();           // (T, T)
 *     BufferedImage picture = maps.picture();
 * }
 * }</pre>
 *
 * <p>A view owns nothing: it is valid while its model is open, and is as thread-safe as the model.
 */
public final class VitAttention {

    private final InferenceModel model;

    /**
     * The view of a model; {@link InferenceModel#attention()} is the usual way to get one.
     *
     * @param model the model (not owned)
     */
    VitAttention(InferenceModel model) {
        this.model = model;
    }

    /**
     * The maps of an image file.
     *
     * @param path the file
     * @return the maps, {@code (L, H, T, T)}
     * @throws ImageLoadException if the file cannot be read as an image
     * @throws InvalidOptionException if the model's forward is not fp32
     */
    public AttentionMaps maps(Path path) throws ImageLoadException {
        return maps(List.of(model.preprocess(path))).get(0);
    }

    /**
     * The maps of an image file, its blocks shuffled first as {@code predict --scramble} shuffles
     * them ({@link Scrambler#scramble}); the maps' input is the scrambled image.
     *
     * @param path the file
     * @param grid the shuffle grid, or null for the image as it is
     * @param seed the permutation's seed ({@link Scrambler#permutation})
     * @return the maps of the (scrambled) image
     * @throws ImageLoadException if the file cannot be read as an image
     * @throws IllegalArgumentException if the grid does not divide the preprocessed image
     * @throws InvalidOptionException if the model's forward is not fp32
     */
    public AttentionMaps maps(Path path, ShuffleGrid grid, long seed) throws ImageLoadException {
        PreprocessedImage p = model.preprocess(path);
        return maps(List.of(grid == null ? p : Scrambler.scramble(p, grid, seed))).get(0);
    }

    /**
     * The maps of preprocessed images of any sizes (one forward pass per size).
     *
     * @param images model inputs {@code (C, H, W)}, H and W multiples of the patch size
     * @return one {@link AttentionMaps} per image, in input order
     * @throws InvalidOptionException if the model's forward is not fp32
     */
    public List<AttentionMaps> maps(List<PreprocessedImage> images) {
        requireFp32();
        return Batch.bySize(images, this::mapsSameSize);
    }

    /**
     * The maps of a batch that already is an array: {@code (L, B, H, T, T)} from the forward.
     * Intermediate results live in a manager of the call; only the result joins the images' manager.
     *
     * @param images {@code (B, C, H, W)}, normalized, H and W multiples of P
     * @return {@code (L, B, H, T, T)} in {@code images.getManager()}
     * @throws InvalidOptionException if the model's forward is not fp32
     */
    public NDArray compute(NDArray images) {
        requireFp32();
        NDManager owner = images.getManager();
        try (NDManager m = model.newManager()) {
            images.tempAttach(m); // back to its owner when m closes
            NDArray t = model.getForward().attentionMaps(images);
            t.attach(owner);
            return t;
        }
    }

    private void requireFp32() {
        Precision p = model.getForward().precision().precision();
        if (p != Precision.FP32) {
            throw new InvalidOptionException("precision", p.cliName(), "attention maps are computed in fp32 only");
        }
    }

    private List<AttentionMaps> mapsSameSize(List<PreprocessedImage> images) {
        Architecture a = model.getConfig().architecture();
        Batch batch = Batch.of(images);
        try (NDManager m = model.newManager()) {
            NDArray t = model.getForward().attentionMaps(m.create(batch.data(), batch.shape())) // (L, B, H, T, T)
                    .transpose(1, 0, 2, 3, 4); // (B, L, H, T, T)
            int b = images.size();
            float[] flat = t.toFloatArray();
            int per = flat.length / b;
            List<AttentionMaps> out = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                PreprocessedImage p = images.get(i);
                float[] shown = model.getPreprocessor().getNormalization().inverse(p.data(), p.height() * p.width());
                out.add(new AttentionMaps(Arrays.copyOfRange(flat, i * per, (i + 1) * per), a.depth(), a.heads(),
                        a.prefixTokens(), a.patchSize(), a.pooling() == Pooling.CLS, p, shown));
            }
            return out;
        }
    }
}
