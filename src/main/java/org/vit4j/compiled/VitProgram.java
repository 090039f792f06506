package org.vit4j.compiled;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VisionTransformer;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeLayout;
import org.vit4j.position.RotaryEmbedding;

/**
 * The Vision Transformer as one TorchScript program ({@code vit.py}, a resource of this package),
 * for inference ({@link CompiledVit}) and training ({@code train.CompiledTrainStep}) alike: this
 * class writes its archive (the source and the config's numbers as module attributes, {@link
 * TorchScriptArchive}), loads it, declares the order of the weights it reads ({@link
 * #weightNames}), answers whether a config compiles ({@link #unsupported}), and computes the
 * per-grid tables the program takes as inputs (absolute position table, rotary cos/sin).
 *
 * <ul>
 *   <li>Weights: one {@code List[Tensor]} in the order of {@link #LEADING}, {@code depth} times
 *       {@link #BLOCK}, {@link #TRAILING}; every offset the program reads is a module attribute
 *       {@code i_NAME} set from these lists ({@link #attribute}). Absent ones are empty or zero
 *       ({@link #absent}). The program prepares them itself ({@code prepare}: LayerScale folded,
 *       half-layout rotary rows permuted to adjacent pairs, the key bias removed, bf16 casts):
 *       once at load for inference, inside every step (differentiably) for training.
 *   <li>Position table: {@code (c + N, D)} from the eager {@code PositionEmbedding} for each grid,
 *       or {@code (0, D)}.
 *   <li>Rotation: {@code cos, sin (L, Hh, T, hd/2)}, one angle per rotation pair ({@link
 *       RotaryEmbedding#rotations}), with rows {@code cos 1, sin 0} for the {@code c + R} prefix
 *       tokens; in training rope-mixed's rotation is computed inside the program from its learned
 *       frequencies and the patches' coordinates {@code (2, N)} ({@link #coordinates}).
 * </ul>
 *
 * <p>Safe for concurrent use once loaded (tables are cached per grid in concurrent maps).
 */
public final class VitProgram implements AutoCloseable {

    /** The module's class in {@code vit.py}. */
    public static final String CLASS_NAME = "Vit";

    /** The weights before the blocks, in list order. */
    static final List<String> LEADING = List.of(
            "patch_embed.proj.weight", "patch_embed.proj.bias", "cls_token", "reg_token", "pos_embed.table",
            "rope.freqs");

    /** The weights of one encoder block (named {@code blocks.i.NAME}), in list order. */
    static final List<String> BLOCK = List.of(
            "norm1.gamma", "norm1.beta", "attn.qkv.weight", "attn.qkv.bias", "attn.proj.weight", "attn.proj.bias",
            "norm2.gamma", "norm2.beta", "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias",
            "ls1.gamma", "ls2.gamma");

    /** The weights after the blocks, in list order ({@code norm} is {@code fc_norm} in a model with fc-norm). */
    static final List<String> TRAILING = List.of("norm.gamma", "norm.beta", "head.weight", "head.bias");

    /** The TorchScript class of libtorch's packed int8 linear weights ({@code quantized::linear_prepack}). */
    static final String PACKED_INT8 = "__torch__.torch.classes.quantized.LinearPackedParamsBase";

    /** The line of {@code vit.py} this class replaces with the weight offsets' declarations. */
    private static final String OFFSETS = "  # WEIGHT OFFSETS\n";

    /** The record components of {@link ViTConfig} the program implements (or that do not touch the network). */
    private static final Set<String> KNOWN = Set.of(
            "imageHeight", "imageWidth", "channels", "patchSize", "width", "depth", "heads", "mlpRatio",
            "numClasses", "pooling", "classToken", "registerTokens", "fcNorm", "qkvBias", "keyBias", "posEmb",
            "posEmbLayout", "rope", "ropeLayout", "ropeIndexing", "ropeTheta", "positionScaling", "layerScale",
            "layerNormEps", "dropout", "dropPath", "sizing", "interpolation", "cropPct", "mean", "std");

    private final VisionTransformer network;
    private final boolean training;
    private final PtNDManager manager;
    private final PtSymbolBlock module;
    private final Map<String, NDArray> positionTables = new ConcurrentHashMap<>();
    private final Map<String, NDArray[]> rotations = new ConcurrentHashMap<>();

    private VitProgram(VisionTransformer network, Precision.Choice precision, boolean training, NDManager parent) {
        this.network = network;
        this.training = training;
        this.manager = (PtNDManager) parent.newSubManager();
        try {
            this.module = archive(network.getConfig(), precision, training).load(manager);
            Set<String> unknown = new TreeSet<>(network.namedParameters().keySet());
            unknown.removeAll(weightNames(network.getConfig()).stream().filter(Objects::nonNull).toList());
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException("the compiled program does not know the parameters " + unknown);
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Loads the program for a network.
     *
     * @param network the network (not owned: keep it open while the program is used)
     * @param precision {@code FP32} or {@code BF16}, already resolved
     * @param training true for the training route (differentiable operators, dropout), false for
     *     inference (packed weights, fused epilogues)
     * @param parent parent of the program's own manager
     * @return the program, for the caller to close
     * @throws IllegalArgumentException if {@link #unsupported} refuses the config, the precision is
     *     {@code auto}, or the network has parameters the program does not know, naming them
     */
    public static VitProgram load(VisionTransformer network, Precision.Choice precision, boolean training,
            NDManager parent) {
        String why = unsupported(network.getConfig());
        if (why != null) {
            throw new IllegalArgumentException("the compiled " + (training ? "training step" : "forward")
                    + " does not support this model: " + why);
        }
        if (precision.precision() == Precision.AUTO) {
            throw new IllegalArgumentException("resolve precision auto before compiling (Precision.resolve)");
        }
        HeapReuse.apply(); // a pass allocates its activations anew: keep them in the heap
        return new VitProgram(network, precision, training, parent);
    }

    /**
     * Why a config does not compile: an option added to {@link ViTConfig} after the program was
     * written. Every option it has today compiles, for inference and for training alike: every
     * pooling, class and register tokens, fc-norm, qkv bias with or without its key part, every
     * absolute and rotary position embedding, LayerScale, dropout and stochastic depth.
     *
     * @param config the config
     * @return the reason, or null if it compiles
     */
    public static String unsupported(ViTConfig config) {
        Set<String> options = new TreeSet<>(ViTConfig.optionNames());
        options.removeAll(KNOWN);
        return options.isEmpty() ? null : "the config has options the compiled program does not know: " + options;
    }

    /**
     * The weight list in the program's order, named as {@link VisionTransformer#namedParameters()};
     * {@code null} entries are weights this config does not have ({@link #absent}).
     *
     * @param config the config
     * @return the names
     */
    public static List<String> weightNames(ViTConfig config) {
        Architecture a = config.architecture();
        List<String> out = new ArrayList<>();
        for (String n : LEADING) {
            boolean has = switch (n) {
                case "cls_token" -> a.classToken();
                case "reg_token" -> a.registerTokens() > 0;
                case "pos_embed.table" -> a.posEmb() == PositionEmbeddingKind.LEARNED;
                case "rope.freqs" -> a.rope() == PositionEmbeddingKind.ROPE_MIXED;
                default -> true;
            };
            out.add(has ? n : null);
        }
        for (int i = 0; i < a.depth(); i++) {
            for (String n : BLOCK) {
                boolean has = switch (n) {
                    case "attn.qkv.bias" -> a.qkvBias();
                    case "ls1.gamma", "ls2.gamma" -> a.layerScale() > 0;
                    default -> true;
                };
                out.add(has ? "blocks." + i + "." + n : null);
            }
        }
        for (String n : TRAILING) {
            out.add(a.fcNorm() && n.startsWith("norm.") ? "fc_" + n : n);
        }
        return out;
    }

    /**
     * The linear layers' weight names, in the order of the program's {@code linear()} (the order of
     * the route codes {@code load_weights} takes).
     *
     * @param config the config
     * @return the names, as {@link VisionTransformer#namedParameters()}
     */
    static List<String> linearWeightNames(ViTConfig config) {
        List<String> linear = new ArrayList<>();
        for (String n : weightNames(config)) {
            if (n != null && n.endsWith("weight") && !n.contains("norm")) {
                linear.add(n);
            }
        }
        return linear;
    }

    /**
     * The program attribute holding a weight's offset: {@code i_} and the name with dots as
     * underscores ({@code attn.qkv.weight} gives {@code i_attn_qkv_weight}).
     *
     * @param name a name of {@link #LEADING}, {@link #BLOCK} or {@link #TRAILING}
     * @return the attribute's name
     */
    static String attribute(String name) {
        return "i_" + name.replace('.', '_');
    }

    /**
     * The array standing for an absent weight at a place of the list: a zero qkv bias {@code (3D)}
     * (adding 0 is exact), else an empty {@code (0, D)} (tokens, tables) or {@code (0)} (gammas,
     * frequencies).
     *
     * @param config the config
     * @param index the place in {@link #weightNames}
     * @param manager owns the array
     * @return the array
     */
    public static NDArray absent(ViTConfig config, int index, NDManager manager) {
        long d = config.architecture().width();
        if (index >= LEADING.size() && index < LEADING.size() + BLOCK.size() * config.architecture().depth()) {
            String n = BLOCK.get((index - LEADING.size()) % BLOCK.size());
            return n.equals("attn.qkv.bias") ? manager.zeros(new Shape(3 * d)) : manager.zeros(new Shape(0));
        }
        return index == LEADING.indexOf("rope.freqs") ? manager.zeros(new Shape(0)) : manager.zeros(new Shape(0, d));
    }

    /**
     * The archive of a config: {@code vit.py} with the weight offsets declared, and the config's
     * numbers, the precision, the route and the offsets as module attributes.
     *
     * @param config the config
     * @param precision {@code FP32} or {@code BF16}
     * @param training the training route, or inference's
     * @return the archive
     */
    public static TorchScriptArchive archive(ViTConfig config, Precision.Choice precision, boolean training) {
        Architecture a = config.architecture();
        int rope = !a.rope().isRope() ? 0 : a.rope() == PositionEmbeddingKind.ROPE_MIXED ? 2 : 1;
        TorchScriptArchive.Builder b = TorchScriptArchive.builder()
                .setClassName(CLASS_NAME)
                .setSource(source())
                .addAttribute("training", training)
                .addAttribute("patch", a.patchSize())
                .addAttribute("heads", a.heads())
                .addAttribute("depth", a.depth())
                .addAttribute("avg_pool", a.pooling() == Pooling.AVG)
                .addAttribute("fc_norm", a.fcNorm())
                .addAttribute("key_bias", a.keyBias() || !a.qkvBias())
                .addAttribute("rope", rope)
                .addAttribute("rope_half", a.ropeLayout() == RopeLayout.HALF)
                .addAttribute("eps", a.layerNormEps())
                .addAttribute("dropout", config.dropout())
                .addAttribute("drop_path", config.dropPath())
                .addAttribute("bf16", precision.precision() == Precision.BF16)
                .addAttribute("block_start", LEADING.size())
                .addAttribute("block_stride", BLOCK.size())
                .addAttribute("weights", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .addAttribute("routes", TorchScriptArchive.EMPTY_INT_LIST)
                .addAttribute("packed", TorchScriptArchive.emptyList(PACKED_INT8))
                .addAttribute("q_weights", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .addAttribute("q_scales", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .addAttribute("q_level", -1)
                .addAttribute("mkl_rows", 1)
                .addAttribute("mkl_packed", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .addAttribute("mkl_plain", TorchScriptArchive.EMPTY_TENSOR_LIST)
                .addAttribute("attn_route", 0);
        for (int i = 0; i < LEADING.size(); i++) {
            b.addAttribute(attribute(LEADING.get(i)), i);
        }
        for (int i = 0; i < BLOCK.size(); i++) {
            b.addAttribute(attribute(BLOCK.get(i)), i);
        }
        int end = LEADING.size() + BLOCK.size() * a.depth();
        for (int i = 0; i < TRAILING.size(); i++) {
            b.addAttribute(attribute(TRAILING.get(i)), end + i);
        }
        return b.build();
    }

    /** @return the TorchScript source, {@code vit.py}, with the weight offsets' declarations */
    public static String source() {
        String text = TorchScriptArchive.programSource("vit.py");
        if (!text.contains(OFFSETS)) {
            throw new IllegalStateException("vit.py lacks the line '" + OFFSETS.strip() + "'");
        }
        StringBuilder decl = new StringBuilder();
        for (List<String> names : List.of(LEADING, BLOCK, TRAILING)) {
            for (String n : names) {
                decl.append("  ").append(attribute(n)).append(" : int\n");
            }
        }
        return text.replace(OFFSETS, decl.toString());
    }

    /** @return the loaded module */
    public PtSymbolBlock module() {
        return module;
    }

    /** @return the program's own manager (its tables and cached arrays) */
    public PtNDManager manager() {
        return manager;
    }

    /** @return the network it runs */
    public VisionTransformer network() {
        return network;
    }

    /**
     * The absolute position table for a grid, from the eager block: its embedding added to zero
     * tokens is the table itself ({@code 0 + t = t} exactly), so every kind, the resampling of a
     * learned table and the zero class-token row of sin-cos tables are the eager code's. Cached per
     * grid, except a learned table in training: at the configured grid the program reads the
     * parameter itself (this gives {@code (0, D)}), at another a resampled copy is made per call in
     * {@code m}, without gradient (as the eager blocks do).
     *
     * @param grid the input's patch grid
     * @param m the manager of a per-call table
     * @return {@code (c + N, D)}, or {@code (0, D)}
     */
    public NDArray positionTable(PatchGrid grid, NDManager m) {
        Architecture a = network.getConfig().architecture();
        boolean learned = a.posEmb() == PositionEmbeddingKind.LEARNED;
        if (training && learned) {
            return trainedGrid(grid) ? positionTables.computeIfAbsent("none", k -> kept(manager.zeros(new Shape(0, a.width()))))
                    : eagerTable(grid, m);
        }
        return positionTables.computeIfAbsent(grid.shape(), k -> a.posEmb() == PositionEmbeddingKind.NONE
                ? kept(manager.zeros(new Shape(0, a.width())))
                : copyOf(grid));
    }

    /**
     * Whether a grid is the configured one.
     *
     * @param grid a patch grid
     * @return true at the configured rows and columns
     */
    public boolean trainedGrid(PatchGrid grid) {
        PatchGrid g = network.getConfig().architecture().grid();
        return grid.rows() == g.rows() && grid.cols() == g.cols();
    }

    private NDArray copyOf(PatchGrid grid) {
        try (NDManager tmp = manager.newSubManager()) {
            return keep(eagerTable(grid, tmp));
        }
    }

    private NDArray eagerTable(PatchGrid grid, NDManager m) {
        Architecture a = network.getConfig().architecture();
        long rows = grid.size() + (a.classToken() ? 1 : 0);
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            NDArray zeros = m.zeros(new Shape(1, rows, a.width())); // (1, c + N, D)
            return network.getPositionEmbedding().add(new ParameterStore(m, false), zeros, grid, false)
                    .reshape(rows, a.width()); // (c + N, D)
        } finally {
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * The rotary tables for a grid, {@code {cos, sin}}, each {@code (L, Hh, T, hd/2)}: {@code L = Hh
     * = 1} for the fixed kinds (one table for every block and head), {@code L = depth, Hh = H} for
     * rope-mixed at inference (its learned frequencies, which do not change); {@code (0, 1, 1, 1)}
     * without RoPE and for rope-mixed in training ({@link #coordinates}). From the eager {@link
     * RotaryEmbedding#rotations}, with rows that turn nothing ({@code cos = 1, sin = 0}) for the
     * class and register tokens. Cached per grid.
     *
     * @param grid the input's patch grid
     * @return the tables
     */
    public NDArray[] rotation(PatchGrid grid) {
        return rotations.computeIfAbsent(grid.shape(), key -> {
            RotaryEmbedding rope = network.getRotaryEmbedding();
            boolean mixed = rope != null && rope.getKind() == PositionEmbeddingKind.ROPE_MIXED;
            if (rope == null || mixed && training) {
                return new NDArray[] {kept(manager.zeros(new Shape(0, 1, 1, 1))), kept(manager.zeros(new Shape(0, 1, 1, 1)))};
            }
            Architecture a = network.getConfig().architecture();
            boolean grad = JniUtils.isGradMode();
            JniUtils.setGradMode(false);
            try (NDManager tmp = manager.newSubManager()) {
                List<NDList> perBlock = rope.rotations(new ParameterStore(tmp, false), grid, tmp.zeros(new Shape(1)), false);
                NDArray[] tables = new NDArray[2];
                for (int j = 0; j < 2; j++) { // cos, then sin
                    NDList all = new NDList();
                    for (NDList b : mixed ? perBlock : perBlock.subList(0, 1)) {
                        NDArray t = b.get(j); // (N, hd/2) or (H, N, hd/2)
                        all.add(t.getShape().dimension() == 2 ? t.expandDims(0) : t); // (Hh, N, hd/2)
                    }
                    NDArray t = NDArrays.stack(all, 0); // (L, Hh, N, hd/2)
                    Shape s = t.getShape();
                    if (a.prefixTokens() > 0) {
                        Shape rows = new Shape(s.get(0), s.get(1), a.prefixTokens(), s.get(3));
                        t = (j == 0 ? tmp.ones(rows) : tmp.zeros(rows)).concat(t, 2); // (L, Hh, T, hd/2)
                    }
                    tables[j] = keep(t);
                }
                return tables;
            } finally {
                JniUtils.setGradMode(grad);
            }
        });
    }

    /**
     * The patches' coordinates rope-mixed multiplies its learned frequencies with inside the
     * training program ({@link RotaryEmbedding#mixedCoordinates}), or an empty array where the
     * program reads {@link #rotation}'s tables.
     *
     * @param grid the input's patch grid
     * @return {@code (2, N)} {@code t_x; t_y}, or {@code (0)}
     */
    public NDArray coordinates(PatchGrid grid) {
        return positionTables.computeIfAbsent("coords " + grid.shape(), k -> {
            RotaryEmbedding rope = network.getRotaryEmbedding();
            if (!training || rope == null || rope.getKind() != PositionEmbeddingKind.ROPE_MIXED) {
                return kept(manager.zeros(new Shape(0)));
            }
            float[][] t = rope.mixedCoordinates(grid);
            try (NDManager tmp = manager.newSubManager()) {
                return keep(tmp.create(t)); // (2, N)
            }
        });
    }

    /** A copy in the program's manager, detached from the eager blocks' caches, kept ({@link #kept}). */
    private NDArray keep(NDArray a) {
        NDArray copy = a.duplicate();
        copy.attach(manager);
        return kept(copy);
    }

    /** An array cached for later calls: out of the caller's {@link NDScope}, which would close it with the call. */
    private static NDArray kept(NDArray a) {
        NDScope.unregister(a);
        return a;
    }

    @Override
    public void close() {
        module.close();
        manager.close();
    }
}
