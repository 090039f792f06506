package org.vit4j.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vit4j.compiled.HeapReuse;
import org.vit4j.compiled.Precision;
import org.vit4j.compiled.VitProgram;
import org.vit4j.model.Architecture;
import org.vit4j.model.Pooling;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VisionTransformer;
import org.vit4j.patch.PatchGrid;
import org.vit4j.position.PositionEmbeddingKind;
import org.vit4j.position.RopeLayout;

/**
 * A {@link VisionTransformer}'s training forward and loss: the {@link VitProgram} on its training
 * route (the same program and block code as inference, {@code CompiledVit}): the parameters go in as a {@code List[Tensor]}, libtorch's autograd
 * records the program's operations, and {@code GradientCollector.backward} on the returned loss
 * fills the DJL parameters' gradients, exactly where the eager blocks' backward puts them.
 *
 * <ul>
 *   <li>Input of {@link #loss}: images {@code (B, C, H, W)} float32 at the configured size,
 *       targets {@code (B, K)} (label-smoothed one-hot rows), both PyTorch-engine arrays.
 *   <li>Parameters: every array of {@link VisionTransformer#namedParameters()}, passed as views
 *       (so the gradient reaches the parameter itself), prepared inside the step (LayerScale folded,
 *       half-layout rotary rows permuted, the key bias removed: differentiably); the fixed absolute
 *       table and the fixed rotary cos/sin tables come from the eager position code, computed once,
 *       as constants ({@link VitProgram#positionTable}, {@link VitProgram#rotation}). The learned
 *       table ({@code pos_embed.table}) and RoPE-Mixed's frequencies ({@code rope.freqs}) are
 *       parameters and get their gradients; the rotation of RoPE-Mixed is computed inside the
 *       program from them.
 *   <li>Output: {@code NDList(loss (), logits (B, K))}, float32, in the images' manager.
 * </ul>
 *
 * <p>Only differentiable operators: {@code aten::linear}, {@code scaled_dot_product_attention}
 * (its own backward), {@code layer_norm}, exact GELU. Dropout and stochastic depth draw from
 * libtorch's default generator, which the caller seeds before every step (as for the eager
 * blocks), so a run is repeatable; their masks are not the eager blocks' masks.
 *
 * <p>{@link Precision#BF16}: as under {@code torch.autocast}, every linear layer casts its input,
 * weight and bias to bfloat16 and attention runs in bfloat16; LayerNorm, the residual stream,
 * logits and loss stay float32. The casts are part of the graph, so the weights (the AdamW master
 * copy) and their gradients stay float32.
 *
 * <p>The program runs with the TorchScript graph optimizer off (libtorch's flag is per thread and
 * set back after the call): every call executes the same operators with autograd's own backward,
 * so the first steps (which the profiling executor would run differently from later ones) equal
 * later ones, and a resumed run repeats an uninterrupted one.
 *
 * <p>Not thread-safe: one trainer thread.
 */
public final class CompiledTrainStep implements AutoCloseable {

    /** The arrays {@link #inputs} puts before the parameters: method, images, target, pos, cos, sin, coords. */
    private static final int LEADING_ARGUMENTS = 7;

    /** How DJL's {@code IValueUtils.forward} packs arrays: this name makes them one {@code List[Tensor]} argument. */
    private static final String LIST_ARGUMENT = "ws[]";

    /** The list argument {@code grid = [pos, cos, sin, coords]}: the input grid's tables. */
    private static final String GRID_ARGUMENT = "grid[]";

    private final VisionTransformer network;
    private final Precision.Choice precision;
    private final VitProgram program;
    private final PtSymbolBlock module;
    private final List<String> names;
    private final List<Parameter> params = new ArrayList<>();
    private final int shards;
    private final List<NDArray> absent = new ArrayList<>();
    /** Whether AdamW decays each parameter of the list ({@link AdamW#decays}), fixed at load. */
    private final boolean[] decayed;

    private CompiledTrainStep(VisionTransformer network, Precision.Choice precision, int shards, NDManager parent) {
        this.network = network;
        this.precision = precision;
        this.shards = shards;
        this.program = VitProgram.load(network, precision, true, parent);
        this.module = program.module();
        ViTConfig c = network.getConfig();
        this.names = VitProgram.weightNames(c);
        Map<String, Parameter> named = network.namedParameters();
        this.decayed = new boolean[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            Parameter p = n == null ? null : named.get(n);
            params.add(p);
            decayed[i] = p != null && AdamW.decays(n, p.getArray());
            NDArray empty = p != null && !"pos_embed.table".equals(n) ? null
                    : VitProgram.absent(c, i, program.manager()); // also a learned table at another grid
            if (empty != null) {
                empty.setName(LIST_ARGUMENT);
            }
            absent.add(empty);
        }
    }

    /**
     * Compiles the training step of an initialized network.
     *
     * @param network the network whose parameters are trained (not owned: keep it open)
     * @param precision {@code FP32} or {@code BF16}, already resolved
     * @param manager parent of the program's own manager (the model's)
     * @return the step, for the caller to close
     * @throws IllegalArgumentException if {@link #unsupported} refuses the config or the precision
     *     is {@code auto}
     */
    public static CompiledTrainStep compile(VisionTransformer network, Precision.Choice precision, NDManager manager) {
        return compile(network, precision, 1, manager);
    }

    /**
     * Compiles the training step of an initialized network, computing each batch in {@code shards}
     * parts at once ({@link #step}).
     *
     * @param network the network whose parameters are trained (not owned: keep it open)
     * @param precision {@code FP32} or {@code BF16}, already resolved
     * @param shards parts of each batch computed in parallel, one inter-op task each; 1 for the
     *     whole batch at once ({@link #shards(ViTConfig, Device)} chooses)
     * @param manager parent of the program's own manager (the model's)
     * @return the step, for the caller to close
     * @throws IllegalArgumentException if {@link #unsupported} refuses the config, the precision
     *     is {@code auto}, or {@code shards} is below 1 or above 1 for a model with dropout or
     *     stochastic depth
     */
    public static CompiledTrainStep compile(VisionTransformer network, Precision.Choice precision, int shards,
            NDManager manager) {
        ViTConfig c = network.getConfig();
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1, got " + shards);
        }
        if (shards > 1 && stochastic(c)) {
            throw new IllegalArgumentException("a model with dropout or stochastic depth trains unsharded (its"
                    + " random masks come from one generator, which parallel parts would draw from in any order)");
        }
        return new CompiledTrainStep(network, precision, shards, manager);
    }

    private static boolean stochastic(ViTConfig c) {
        return c.dropout() > 0 || c.dropPath() > 0;
    }

    /**
     * How many parts of each batch to compute at once on this device, one thread each: on a CPU,
     * for a model without dropout or stochastic depth, libtorch's intra-op threads, at most one
     * more than its inter-op threads (the calling thread computes the first part); else 1. Call
     * before setting the intra-op threads to 1, which a sharded step needs (else each part's
     * operators would share threads with the other parts'): {@code VitTrainer} does both.
     *
     * <p>Why: a small model's operators are too short to share among threads. On a 2-core EPYC,
     * fashion-small's bf16 step spent 1.29 CPU ms per image on two intra-op threads and 0.92 in
     * two one-thread parts, and the sharded step trained 1.16x (fp32) and 1.25x (bf16) the images
     * per second of whole batches on two threads (BENCHMARKS.md, Training throughput). Each part's result
     * depends only on its rows and the parts are summed in a fixed order, so a sharded run is as
     * repeatable as an unsharded one; it differs from it by float rounding only.
     *
     * @param config the model's config
     * @param device the training device
     * @return parts per batch, at least 1
     */
    public static int shards(ViTConfig config, Device device) {
        if (!Device.Type.CPU.equals(device.getDeviceType()) || stochastic(config)) {
            return 1;
        }
        return Math.max(1, Math.min(JniUtils.getNumThreads(), JniUtils.getNumInteropThreads() + 1));
    }

    /** @return parts of each batch computed at once ({@link #compile(VisionTransformer, Precision.Choice, int, NDManager)}) */
    public int getShards() {
        return shards;
    }

    /**
     * Whether the program trains this config ({@link VitProgram#unsupported}: the same answer as
     * for inference).
     *
     * @param config the config
     * @return true if {@link #compile} accepts it
     */
    public static boolean supports(ViTConfig config) {
        return unsupported(config) == null;
    }

    /**
     * Why a config does not compile for training ({@link VitProgram#unsupported}).
     *
     * @param config the config
     * @return the reason, or null if it is supported
     */
    public static String unsupported(ViTConfig config) {
        return VitProgram.unsupported(config);
    }

    /** @return the precision the step runs in, with the reason */
    public Precision.Choice getPrecision() {
        return precision;
    }

    /**
     * The loss and logits of a batch, recorded for autograd: call inside a {@code
     * GradientCollector} and {@code backward} the loss to fill the parameters' gradients.
     *
     * @param images {@code (B, C, H, W)} float32, H and W multiples of the patch size (another size
     *     than the configured one as in the eager blocks: a learned table resampled, without gradient)
     * @param target {@code (B, K)} float32, rows of label-smoothed one-hot targets
     * @return {@code NDList(loss (), logits (B, K))} in the images' manager
     * @throws IllegalArgumentException if the images or targets have another shape
     */
    public NDList loss(NDArray images, NDArray target) {
        return run(inputs("step", images, target, false));
    }

    /**
     * Runs a method of the program with autograd recording (grad mode on: the caller's
     * {@code GradientCollector} sets it too, and {@code torch.autograd.grad} inside the program
     * needs it) and the graph optimizer off; both flags are thread-local in libtorch and set back.
     */
    private NDList run(NDList in) {
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(true);
        JniUtils.setGraphExecutorOptimize(false);
        try {
            return IValueUtils.forward(module, in, true);
        } finally {
            JniUtils.setGraphExecutorOptimize(true); // libtorch's default, for this thread's other programs
            JniUtils.setGradMode(grad);
        }
    }

    /**
     * The program's arguments for a batch: the method's name, images, targets, the grid's tables
     * ({@code grid[]}) and the parameter list ({@code ws[]}, views of the parameters' arrays, or their detached
     * views when the program updates them in place).
     */
    private NDList inputs(String methodName, NDArray images, NDArray target, boolean detached) {
        Architecture arch = network.getConfig().architecture();
        Shape s = images.getShape();
        int p = arch.patchSize();
        if (s.dimension() != 4 || s.get(1) != arch.channels() || s.get(2) % p != 0 || s.get(3) % p != 0
                || images.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("the compiled training step expects float32 images (B, "
                    + arch.channels() + ", H, W) with H and W multiples of " + p + ", got " + images.getDataType()
                    + " " + s);
        }
        PatchGrid grid = PatchGrid.of((int) s.get(2), (int) s.get(3), p);
        if (!target.getShape().equals(new Shape(s.get(0), arch.numClasses()))) {
            throw new IllegalArgumentException("targets must be (" + s.get(0) + ", " + arch.numClasses()
                    + "), got " + target.getShape());
        }
        NDManager m = images.getManager();
        NDArray method = m.zeros(new Shape(1));
        method.setName("module_method:" + methodName);
        images.setName("images");
        target.setName("target");
        boolean resampled = !program.trainedGrid(grid);
        NDArray pos = program.positionTable(grid, m); // at another grid a learned table resampled, per call
        NDArray[] rot = program.rotation(grid);
        // the grid's tables: one list argument grid = [pos, cos, sin, coords]
        NDList in = new NDList(method, images, target, named(pos, GRID_ARGUMENT), named(rot[0], GRID_ARGUMENT),
                named(rot[1], GRID_ARGUMENT), named(program.coordinates(grid), GRID_ARGUMENT));
        for (int i = 0; i < names.size(); i++) {
            Parameter param = params.get(i);
            NDArray w;
            if (param == null || resampled && "pos_embed.table".equals(names.get(i))) {
                w = absent.get(i);
            } else {
                NDArray a = param.getArray();
                // a view: its gradient flows to the parameter; detached, an in-place update reaches it
                w = detached ? a.stopGradient() : a.reshape(a.getShape());
                w.attach(m); // freed with the batch, not kept by the model's manager
                w.setName(LIST_ARGUMENT);
            }
            in.add(w);
        }
        return in;
    }

    /**
     * What one optimizer step found.
     *
     * @param loss the batch's mean label-smoothed cross-entropy, before the update
     * @param predictions each image's highest-scoring class, before the update
     * @param gradientNorm the global L2 norm of all gradients, before clipping
     */
    public record StepResult(double loss, long[] predictions, double gradientNorm) {

        /** @return whether the loss and the gradient norm are finite (the update was made) */
        public boolean finite() {
            return Double.isFinite(loss) && Double.isFinite(gradientNorm);
        }
    }

    /**
     * One optimizer step in one call of the program: loss, gradients (libtorch's autograd inside the
     * program, {@code torch.autograd.grad}), global-norm clipping and the AdamW update of the
     * parameters and the optimizer's moments, in place. Nothing is changed when the loss or the
     * gradient norm is not finite ({@link StepResult#finite()}): the caller stops the run. The
     * same update as {@link AdamW#step}, computed by libtorch's {@code _foreach} operators instead
     * of several eager calls per parameter. With {@link #getShards()} above 1 the gradients are
     * those of the batch's mean loss summed over consecutive parts of the batch computed in
     * parallel (at most one part per image).
     *
     * @param images {@code (B, C, H, W)} float32, as for {@link #loss}
     * @param target {@code (B, K)} float32 label-smoothed one-hot rows
     * @param optimizer the moments and constants; its step count advances by one
     * @param lr this step's learning rate
     * @param clip the largest global gradient norm (larger gradients are scaled down to it); 0 for none
     * @return loss, predictions and gradient norm, all from before the update
     */
    public StepResult step(NDArray images, NDArray target, AdamW optimizer, double lr, double clip) {
        NDList in = inputs("train_step", images, target, true);
        NDManager m = images.getManager();
        AdamW.Constants k = optimizer.advance();
        List<Long> index = new ArrayList<>();
        NDList ps = new NDList();
        NDList ms = new NDList();
        NDList vs = new NDList();
        NDList dw = new NDList();
        for (int i = 0; i < names.size(); i++) {
            NDArray w = in.get(LEADING_ARGUMENTS + i);
            if (params.get(i) == null || w == absent.get(i)) { // absent, or a learned table resampled
                continue;
            }
            index.add((long) i);
            ps.add(named(w.stopGradient(), "ps[]", m)); // the same storage, a second argument list
            NDArray[] mv = optimizer.moments(names.get(i));
            ms.add(named(mv[0].reshape(mv[0].getShape()), "ms[]", m)); // views: the update reaches the moments
            vs.add(named(mv[1].reshape(mv[1].getShape()), "vs[]", m));
            if (decayed[i]) {
                dw.add(named(w.stopGradient(), "dw[]", m));
            }
        }
        in.addAll(ps);
        in.addAll(ms);
        in.addAll(vs);
        if (dw.isEmpty()) {
            throw new IllegalStateException("no parameter with weight decay"); // every ViT has weight matrices
        }
        in.addAll(dw);
        NDArray ix = m.create(index.stream().mapToLong(Long::longValue).toArray());
        ix.setName("index");
        // no more parts than images: a part without rows would have a NaN mean loss
        long parts = Math.min(shards, images.getShape().get(0));
        NDArray h = m.create(new double[] {lr, clip, k.beta1(), k.beta2(), k.eps(), k.biasCorrection1(),
            k.biasCorrection2(), k.weightDecay(), parts});
        h.setName("hyper");
        in.add(ix);
        in.add(h);
        NDList out = run(in);
        return new StepResult(out.get(0).getFloat(), out.get(1).toLongArray(), out.get(2).getFloat());
    }

    /**
     * The program's own gradients of a batch ({@code torch.autograd.grad} inside it, as {@link
     * #step} computes them), without an update: for tests.
     *
     * @return {@code NDList(loss, logits, gradient of each parameter in {@link #names()}'s order)}
     */
    NDList gradients(NDArray images, NDArray target) {
        return run(inputs("gradients", images, target, true));
    }

    private static NDArray named(NDArray a, String name) {
        a.setName(name);
        return a;
    }

    private static NDArray named(NDArray a, String name, NDManager m) {
        a.attach(m);
        a.setName(name);
        return a;
    }

    /** @return the parameter names in the program's order ({@code null}: absent), for tests */
    List<String> names() {
        return names;
    }

    @Override
    public void close() {
        program.close();
    }
}
