package org.vit4j.bench.peers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.vit4j.image.ImageLoadException;
import org.vit4j.image.ImageLoader;
import org.vit4j.image.ImagePreprocessor;
import org.vit4j.image.Interpolation;
import org.vit4j.image.Normalization;
import org.vit4j.image.PreprocessedImage;
import org.vit4j.image.SizingPolicy;
import org.vit4j.patch.Patchify;

/**
 * vit4j's preprocessing of one file, as torchvision's ViT evaluation transform: decode
 * ({@link ImageLoader}), resize the short side to 256 (bilinear, PIL-equivalent) and center crop
 * 224 ({@link SizingPolicy#RESIZE_CROP}, crop 0.875), ImageNet normalization
 * ({@link ImagePreprocessor}), then {@link Patchify} to tokens {@code (1, 196, 768)}, read back to the
 * Java heap. Not thread-safe (one manager): one instance per thread.
 */
final class PreprocessPipeline implements AutoCloseable {

    static final int SIZE = 224;
    static final int PATCH = 16;

    private final ImageLoader loader = ImageLoader.builder().build();
    private final ImagePreprocessor preprocessor = ImagePreprocessor.builder()
            .setImageSize(SIZE, SIZE)
            .setPatchSize(PATCH)
            .optPolicy(SizingPolicy.RESIZE_CROP)
            .optCropPct(0.875)
            .optInterpolation(Interpolation.BILINEAR)
            .optNormalization(Normalization.IMAGENET)
            .build();
    private final NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");

    /**
     * Preprocesses one file.
     *
     * @param file a JPEG
     * @return tokens {@code (1, 196, 768)} in C order
     * @throws ImageLoadException if the file cannot be decoded
     */
    float[] tokens(Path file) throws ImageLoadException {
        PreprocessedImage img = preprocessor.apply(loader.load(file), file.toString()); // (C, H, W)
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(img.data(), new Shape(1, img.channels(), img.height(), img.width())); // (1, C, H, W)
            return Patchify.patchify(x, PATCH).toFloatArray(); // (1, N, C·P·P)
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
