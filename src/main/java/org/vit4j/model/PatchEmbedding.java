package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.vit4j.patch.Patchify;

/**
 * Cuts images into patches and projects each patch linearly to the embedding width.
 *
 * <ul>
 *   <li>Input: images {@code (B, C, H, W)}, H and W multiples of P.
 *   <li>Parameters: {@code proj.weight (D, C·P·P)}, {@code proj.bias (D)}.
 *   <li>Output: patch tokens {@code (B, N, D)}, row-major.
 * </ul>
 *
 * <p>Equal to timm's {@code PatchEmbed} ({@code Conv2d(C, D, kernel=P, stride=P)}) with {@code
 * proj.weight = conv.weight.reshape(D, C·P·P)}, because patches are flattened in {@code (c, y, x)}
 * order.
 */
public final class PatchEmbedding extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int patchSize;
    private final int channels;
    private final Linear proj;

    /**
     * Creates the block.
     *
     * @param patchSize P
     * @param channels C
     * @param width D
     */
    public PatchEmbedding(int patchSize, int channels, int width) {
        super(VERSION);
        this.patchSize = patchSize;
        this.channels = channels;
        proj = addChildBlock("proj", Linear.builder().setUnits(width).build());
    }

    /** @return the projection (weight {@code (D, C·P·P)}) */
    public Linear getProjection() {
        return proj;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        long c = images.getShape().dimension() == 4 ? images.getShape().get(1) : -1;
        if (c != channels) {
            throw new IllegalArgumentException(
                    "patch embedding expects images (B, " + channels + ", H, W), got shape "
                            + images.getShape());
        }
        NDArray patches = Patchify.patchify(images, patchSize); // (B, N, C·P·P)
        return proj.forward(parameterStore, new NDList(patches), training); // (B, N, D)
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape s = inputShapes[0];
        long n = (s.get(2) / patchSize) * (s.get(3) / patchSize);
        proj.initialize(manager, dataType, new Shape(s.get(0), n, (long) channels * patchSize * patchSize));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long n = (s.get(2) / patchSize) * (s.get(3) / patchSize);
        return proj.getOutputShapes(new Shape[] {new Shape(s.get(0), n, (long) channels * patchSize * patchSize)});
    }
}
