package org.vit4j.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.TruncatedNormalInitializer;
import ai.djl.util.PairList;
import java.util.Objects;
import org.vit4j.patch.PatchGrid;

/**
 * Adds a position embedding to a token sequence.
 *
 * <ul>
 *   <li>Input: tokens {@code (B, c + N, D)}, where {@code c} is 1 if the sequence starts with a
 *       class token and 0 otherwise, and {@code N} patch tokens follow in row-major order.
 *   <li>Parameter ({@code learned} only): {@code table (c + N, D)}, truncated normal with std 0.02
 *       (timm); the class token has its own learned row (timm's {@code no_embed_class=False}).
 *   <li>Output: tokens {@code (B, c + N, D)} plus the embedding.
 * </ul>
 *
 * <p>Sinusoidal kinds have no parameter: the table is computed by {@link SinCosTables} for the
 * grid of the input, and the class token gets a zero row (MAE's {@code get_2d_sincos_pos_embed(...,
 * cls_token=True)}). Register tokens are never given a position; the model adds them after this
 * block. At a grid other than the trained one a sinusoidal table is recomputed, at the grid's own
 * integer coordinates or, under {@link PositionScaling#INTERPOLATE}, at coordinates scaled into the
 * trained grid's range; a learned one is resampled with {@link PosEmbedResampler.Mode#TIMM}.
 */
public final class PositionEmbedding extends GridTableBlock {

    private static final byte VERSION = 1;

    private final PositionEmbeddingKind kind;
    private final SinCosLayout layout;
    private final PatchGrid grid;
    private final int width;
    private final boolean classToken;
    private final Parameter table;
    private final PositionScaling scaling;

    /**
     * Creates the block.
     *
     * @param kind the embedding kind
     * @param layout column layout of sinusoidal tables
     * @param grid the patch grid the model is trained at
     * @param width embedding width {@code D}
     * @param classToken whether the sequence starts with a class token
     */
    public PositionEmbedding(
            PositionEmbeddingKind kind,
            SinCosLayout layout,
            PatchGrid grid,
            int width,
            boolean classToken) {
        this(kind, layout, grid, width, classToken, PositionScaling.EXTRAPOLATE);
    }

    /**
     * Creates the block with how it places a grid other than the trained one.
     *
     * @param kind the embedding kind
     * @param layout column layout of sinusoidal tables
     * @param grid the patch grid the model is trained at
     * @param width embedding width {@code D}
     * @param classToken whether the sequence starts with a class token
     * @param scaling where a sinusoidal table puts the patches of another grid ({@link GridCoordinates#of})
     */
    public PositionEmbedding(
            PositionEmbeddingKind kind,
            SinCosLayout layout,
            PatchGrid grid,
            int width,
            boolean classToken,
            PositionScaling scaling) {
        super(VERSION);
        this.scaling = Objects.requireNonNull(scaling, "scaling");
        this.kind = kind;
        this.layout = layout;
        this.grid = grid;
        this.width = width;
        this.classToken = classToken;
        if (kind == PositionEmbeddingKind.LEARNED) {
            table =
                    addParameter(
                            Parameter.builder()
                                    .setName("table")
                                    .setType(Parameter.Type.WEIGHT)
                                    .optInitializer(new TruncatedNormalInitializer(0.02f))
                                    .optShape(new Shape(grid.size() + prefix(), width))
                                    .build());
        } else {
            table = null;
        }
    }

    private int prefix() {
        return classToken ? 1 : 0;
    }

    /** @return the kind */
    public PositionEmbeddingKind getKind() {
        return kind;
    }

    /** @return the learned table parameter, or null for other kinds */
    public Parameter getTable() {
        return table;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> params) {
        return new NDList(add(parameterStore, inputs.singletonOrThrow(), grid, training));
    }

    /**
     * Adds the embedding for an explicit grid (the input's, which may differ from the trained one).
     *
     * @param parameterStore the parameter store
     * @param tokens {@code (B, c + N, D)} with {@code N = grid.size()}
     * @param inputGrid the grid the patch tokens come from
     * @param training whether gradients flow into a learned table
     * @return {@code (B, c + N, D)}
     */
    public NDArray add(
            ParameterStore parameterStore, NDArray tokens, PatchGrid inputGrid, boolean training) {
        Shape s = tokens.getShape();
        if (s.dimension() != 3 || s.get(1) != inputGrid.size() + prefix() || s.get(2) != width) {
            throw new IllegalArgumentException(
                    "position embedding expects tokens (B, " + (inputGrid.size() + prefix()) + ", "
                            + width + ") for grid " + inputGrid.shape() + ", got " + s);
        }
        switch (kind) {
            case NONE:
                return tokens;
            case LEARNED:
                NDArray t = parameterStore.getValue(table, tokens.getDevice(), training);
                if (!sameGrid(inputGrid)) {
                    t = resampled(t, inputGrid, tokens.getManager());
                }
                return tokens.add(t); // (B, c + N, D) + (c + N, D); the result is the tokens'
            default:
                return tokens.add(sinCos(inputGrid, tokens)); // broadcast over B
        }
    }

    private boolean sameGrid(PatchGrid g) {
        return g.rows() == grid.rows() && g.cols() == grid.cols();
    }

    private NDArray resampled(NDArray learned, PatchGrid target, NDManager m) {
        // Gradients do not flow through resampling: it is an inference-time adaptation.
        float[] flat = learned.toFloatArray();
        float[][] patches = new float[grid.size()][width];
        for (int n = 0; n < grid.size(); n++) {
            System.arraycopy(flat, (n + prefix()) * width, patches[n], 0, width);
        }
        float[][] r =
                PosEmbedResampler.resample(
                        patches, grid.rows(), grid.cols(), target.rows(), target.cols(),
                        PosEmbedResampler.Mode.TIMM);
        float[] out = new float[(target.size() + prefix()) * width];
        System.arraycopy(flat, 0, out, 0, prefix() * width);
        for (int n = 0; n < r.length; n++) {
            System.arraycopy(r[n], 0, out, (n + prefix()) * width, width);
        }
        return m.create(out, new Shape(target.size() + prefix(), width)); // the caller's, not the model's
    }

    private NDArray sinCos(PatchGrid g, NDArray like) {
        return tables(g, like, m -> {
            float[][] t = SinCosTables.table(kind, GridCoordinates.of(g, grid, scaling), width, layout);
            float[] flat = new float[(t.length + prefix()) * width]; // class token row stays zero
            for (int n = 0; n < t.length; n++) {
                System.arraycopy(t[n], 0, flat, (n + prefix()) * width, width);
            }
            return new NDList(m.create(flat, new Shape(t.length + prefix(), width)));
        }).get(0);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }
}
