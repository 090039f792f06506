package org.vit4j.position;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.vit4j.patch.PatchGrid;

/**
 * Rotary position embedding for the patch tokens of every encoder block: holds the rotation for a
 * grid and applies it to queries and keys ({@link #apply}).
 *
 * <ul>
 *   <li>Output of {@link #rotations}: per block {@code NDList(cos, sin)}, one value per rotation
 *       pair (the compiled program reads the same tables), each {@code (N, D_h/2)} for {@code
 *       rope-axial} and {@code rope-dinov3} (the same for every block and head) or {@code (H, N,
 *       D_h/2)} for {@code rope-mixed}; {@code N = rows·cols} of the input's grid.
 *   <li>Parameter ({@code rope-mixed} only): {@code freqs (2, depth, H, D_h/2)} (timm's
 *       {@code rope.freqs}), initialised by {@link Rope#mixedFrequencies} with one uniform random
 *       angle in {@code [0, 2 pi)} per block and head drawn from the engine's seeded generator.
 * </ul>
 *
 * <p>The fixed kinds' tables come from {@link Rope} for each grid they are asked for (timm's
 * {@code dynamic_img_size}: recomputed, never resampled) and are cached per grid and device. A grid
 * other than the configured one takes its own integer coordinates, or the configured grid's range
 * under {@link PositionScaling#INTERPOLATE} ({@link #coordinates}); rope-dinov3 normalises its
 * coordinates on every grid.
 */
public final class RotaryEmbedding extends GridTableBlock {

    private static final byte VERSION = 1;

    private final PositionEmbeddingKind kind;
    private final RopeLayout layout;
    private final RopeIndexing indexing;
    private final double theta;
    private final int headDim;
    private final int heads;
    private final int depth;
    private final Parameter freqs;
    private final PatchGrid trained;
    private final PositionScaling scaling;

    /**
     * Creates the block.
     *
     * @param kind a rotary kind ({@link PositionEmbeddingKind#isRope()})
     * @param layout which head dimensions pair up
     * @param indexing which grid axis comes first
     * @param theta the temperature
     * @param width model width {@code D}
     * @param heads heads {@code H}; {@code D/H} must be divisible by 4
     * @param depth encoder blocks
     */
    public RotaryEmbedding(PositionEmbeddingKind kind, RopeLayout layout, RopeIndexing indexing, double theta,
            int width, int heads, int depth) {
        this(kind, layout, indexing, theta, width, heads, depth, null, PositionScaling.EXTRAPOLATE);
    }

    /**
     * Creates the block with the grid it is configured for and how it places other grids.
     *
     * @param kind a rotary kind ({@link PositionEmbeddingKind#isRope()})
     * @param layout which head dimensions pair up
     * @param indexing which grid axis comes first
     * @param theta the temperature
     * @param width model width {@code D}
     * @param heads heads {@code H}; {@code D/H} must be divisible by 4
     * @param depth encoder blocks
     * @param trained the configured patch grid, or null when every grid takes its own coordinates
     * @param scaling how a grid other than {@code trained} is placed ({@link GridCoordinates#of})
     */
    public RotaryEmbedding(PositionEmbeddingKind kind, RopeLayout layout, RopeIndexing indexing, double theta,
            int width, int heads, int depth, PatchGrid trained, PositionScaling scaling) {
        super(VERSION);
        this.trained = trained;
        this.scaling = Objects.requireNonNull(scaling, "scaling");
        if (!kind.isRope()) {
            throw new IllegalArgumentException("not a rotary position embedding: " + kind.cliName());
        }
        this.kind = kind;
        this.layout = layout;
        this.indexing = indexing;
        this.theta = theta;
        this.headDim = width / heads;
        this.heads = heads;
        this.depth = depth;
        if (headDim % 4 != 0 || headDim * heads != width) {
            throw new IllegalArgumentException(kind.cliName() + " needs a head width (" + width + "/" + heads
                    + ") divisible by 4");
        }
        if (kind == PositionEmbeddingKind.ROPE_MIXED) {
            freqs = addParameter(
                    Parameter.builder()
                            .setName("freqs")
                            .setType(Parameter.Type.OTHER) // not the model's WEIGHT initializer
                            .optInitializer(new MixedInit())
                            .optShape(new Shape(2, depth, heads, headDim / 2))
                            .build());
        } else {
            freqs = null;
        }
    }

    /** timm {@code init_random_2d_freqs(rotate=True)}; the angles come from the engine's generator. */
    private final class MixedInit implements Initializer {
        @Override
        public NDArray initialize(NDManager m, Shape shape, DataType dataType) {
            float[] phi = m.randomUniform(0f, (float) (2 * Math.PI), new Shape(depth, heads)).toFloatArray();
            return m.create(Rope.mixedFrequencies(headDim, depth, heads, theta, phi), shape).toType(dataType, false);
        }
    }

    /** @return the kind */
    public PositionEmbeddingKind getKind() {
        return kind;
    }

    /** @return the pair layout */
    public RopeLayout getLayout() {
        return layout;
    }

    /** @return the learnable frequencies {@code (2, depth, H, D_h/2)} of rope-mixed, or null */
    public Parameter getFreqs() {
        return freqs;
    }

    /**
     * The rotation of every block for a grid.
     *
     * @param ps the parameter store
     * @param grid the input's patch grid
     * @param like an array on the caller's manager and device (results of rope-mixed join its manager)
     * @param training whether gradients flow into {@code freqs}
     * @return {@code depth} lists {@code (cos, sin)}, see the class comment for shapes
     */
    public List<NDList> rotations(ParameterStore ps, PatchGrid grid, NDArray like, boolean training) {
        List<NDList> out = new ArrayList<>(depth);
        if (kind == PositionEmbeddingKind.ROPE_MIXED) {
            NDArray f = ps.getValue(freqs, like.getDevice(), training); // (2, depth, H, D_h/2)
            float[][] t = mixedCoordinates(grid);
            long n = grid.size();
            NDManager m = like.getManager();
            NDArray tx = m.create(t[0], new Shape(1, 1, n, 1)).toDevice(like.getDevice(), false);
            NDArray ty = m.create(t[1], new Shape(1, 1, n, 1)).toDevice(like.getDevice(), false);
            long half = headDim / 2;
            NDArray fx = f.get("0"); // (depth, H, D_h/2)
            NDArray fy = f.get("1");
            // as for the class token: a parameter's results join the caller's manager, freed with the batch
            fx.attach(m);
            fy.attach(m);
            fx = fx.reshape(depth, heads, 1, half); // (depth, H, 1, D_h/2)
            fy = fy.reshape(depth, heads, 1, half);
            NDArray angles = tx.mul(fx).add(ty.mul(fy)); // (depth, H, N, D_h/2), timm get_mixed_freqs
            NDArray cos = angles.cos();
            NDArray sin = angles.sin();
            for (int i = 0; i < depth; i++) {
                out.add(new NDList(cos.get("{}", i), sin.get("{}", i))); // (H, N, D_h/2)
            }
            return out;
        }
        NDList fixed = fixed(grid, like);
        for (int i = 0; i < depth; i++) {
            out.add(fixed);
        }
        return out;
    }

    /**
     * Where the patches of a grid sit for this block: their own integer coordinates, or the
     * configured grid's range under {@link PositionScaling#INTERPOLATE}.
     *
     * @param grid the input's patch grid
     * @return its coordinates
     */
    public GridCoordinates coordinates(PatchGrid grid) {
        return trained == null ? GridCoordinates.of(grid.rows(), grid.cols()) : GridCoordinates.of(grid, trained, scaling);
    }

    /**
     * The coordinates rope-mixed multiplies its frequencies with for a grid ({@link Rope#mixedCoordinates}
     * at {@link #coordinates}); the compiled training step passes these to its program.
     *
     * @param grid the input's patch grid
     * @return {@code {t_x, t_y}}, each of length {@code rows*cols}
     */
    public float[][] mixedCoordinates(PatchGrid grid) {
        return Rope.mixedCoordinates(coordinates(grid), indexing);
    }

    private NDList fixed(PatchGrid g, NDArray like) {
        return tables(g, like, m -> {
            float[][] angles = kind == PositionEmbeddingKind.ROPE_DINOV3
                    ? Rope.dinov3Angles(g.rows(), g.cols(), headDim, theta)
                    : Rope.axialAngles(coordinates(g), headDim, theta, indexing);
            float[][][] cs = Rope.cosSin(angles);
            return new NDList(m.create(flatten(cs[0]), new Shape(g.size(), headDim / 2)),
                    m.create(flatten(cs[1]), new Shape(g.size(), headDim / 2)));
        });
    }

    private static float[] flatten(float[][] t) {
        int d = t.length == 0 ? 0 : t[0].length;
        float[] flat = new float[t.length * d];
        for (int i = 0; i < t.length; i++) {
            System.arraycopy(t[i], 0, flat, i * d, d);
        }
        return flat;
    }

    /**
     * Rotates queries or keys of the patch tokens, leaving the first {@code prefix} tokens (class,
     * registers) as they are: every rotation pair {@code (x0, x1)} of the layout becomes {@code (x0
     * cos - x1 sin, x0 sin + x1 cos)}, the complex product {@code (x0 + i x1)(cos + i sin)} (timm
     * {@code apply_rot_embed_cat}'s {@code x·cos + rot(x)·sin} with one angle per pair).
     *
     * @param x {@code (B, H, T, D_h)} with {@code T = prefix + N}
     * @param cos {@code (N, D_h/2)} or {@code (H, N, D_h/2)}, one value per pair
     * @param sin like {@code cos}
     * @param layout the pair layout
     * @param prefix tokens before the patches
     * @return {@code (B, H, T, D_h)}
     */
    public static NDArray apply(NDArray x, NDArray cos, NDArray sin, RopeLayout layout, int prefix) {
        Shape s = x.getShape();
        long t = s.get(2);
        long d = s.get(3);
        long n = cos.getShape().get(cos.getShape().dimension() - 2);
        if (t - prefix != n) {
            throw new IllegalArgumentException("rotary embedding for " + n + " patches applied to " + t
                    + " tokens with " + prefix + " prefix tokens");
        }
        NDArray patches = prefix == 0 ? x : x.get(":, :, {}:, :", prefix); // (B, H, N, D_h)
        NDArray x0;
        NDArray x1;
        if (layout == RopeLayout.HALF) { // pairs (p, p + D_h/2)
            x0 = patches.get(":, :, :, :{}", d / 2);
            x1 = patches.get(":, :, :, {}:", d / 2);
        } else { // pairs (2p, 2p+1)
            NDArray pairs = patches.reshape(s.get(0), s.get(1), n, d / 2, 2);
            x0 = pairs.get(":, :, :, :, 0");
            x1 = pairs.get(":, :, :, :, 1");
        } // each (B, H, N, D_h/2)
        NDArray r0 = x0.mul(cos).sub(x1.mul(sin));
        NDArray r1 = x0.mul(sin).add(x1.mul(cos));
        NDArray rotated = layout == RopeLayout.HALF
                ? NDArrays.concat(new NDList(r0, r1), 3)
                : NDArrays.stack(new NDList(r0, r1), 4).reshape(s.get(0), s.get(1), n, d); // (B, H, N, D_h)
        return prefix == 0 ? rotated : NDArrays.concat(new NDList(x.get(":, :, :{}, :", prefix), rotated), 2);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("RotaryEmbedding is applied inside attention; call rotations()");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
