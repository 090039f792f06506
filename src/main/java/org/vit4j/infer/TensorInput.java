package org.vit4j.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.io.IoErrors;
import org.vit4j.io.Npy;
import org.vit4j.model.ViTConfig;

/**
 * An already preprocessed batch from a {@code .npy} file ({@code predict --tensor},
 * {@code embed --tensor}): float32 {@code (B, C, H, W)}, checked against a model, one input per row,
 * named {@code FILE[b]}; a row with NaN or infinite values is refused with that reason.
 */
public final class TensorInput {

    private TensorInput() {}

    /**
     * Reads a batch and splits it into rows.
     *
     * @param file the {@code .npy} file
     * @param config the model the rows are for
     * @return one model input {@code (C, H, W)} or reason per row, in order
     * @throws IllegalArgumentException naming the file and what does not fit: dtype, rank, channels,
     *     or a size that is not a positive multiple of the patch size; or why it cannot be read
     */
    public static List<Outcome<PreprocessedImage>> read(Path file, ViTConfig config) {
        String name = file.toString();
        Npy.Array a;
        try {
            a = Npy.read(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(IoErrors.describe(e), e);
        }
        if (!a.dtype().endsWith("f4")) {
            throw new IllegalArgumentException(name + ": dtype " + a.dtype() + ", expected float32 ('<f4')");
        }
        long[] s = a.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException(name + ": shape " + Arrays.toString(s)
                    + " has rank " + s.length + ", expected (B, C, H, W)");
        }
        int p = config.architecture().patchSize();
        if (s[1] != config.architecture().channels() || s[2] % p != 0 || s[3] % p != 0 || s[2] == 0 || s[3] == 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s: shape %s does not fit the model: needs C=%d and H, W positive multiples of patch size %d",
                    name, Arrays.toString(s), config.architecture().channels(), p));
        }
        int per = (int) (s[1] * s[2] * s[3]);
        List<Outcome<PreprocessedImage>> rows = new ArrayList<>();
        for (int b = 0; b < s[0]; b++) {
            float[] row = Arrays.copyOfRange(a.data(), b * per, (b + 1) * per);
            String rowName = name + "[" + b + "]";
            boolean finite = true;
            for (float v : row) {
                finite &= Float.isFinite(v);
            }
            rows.add(finite
                    ? Outcome.of(rowName, new PreprocessedImage(row, (int) s[1], (int) s[2], (int) s[3]))
                    : Outcome.failed(rowName, "contains NaN or infinite values"));
        }
        return rows;
    }
}
