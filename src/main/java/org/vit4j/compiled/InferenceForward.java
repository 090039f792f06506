package org.vit4j.compiled;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VisionTransformer;
import org.vit4j.model.VitModel;

/**
 * The inference forward of a loaded model: the {@link CompiledVit} program where it applies, else
 * the eager blocks, with the choice and its reason recorded for {@code bench} and {@code info}.
 * Both give {@code NDList(logits (B, K), pooled (B, D))}, pooled {@code (B, D)} and tokens {@code
 * (B, c + R + N, D)}, float32, in the images' manager.
 *
 * <p>Choosing: {@link ForwardEngine#COMPILED} compiles when {@link CompiledVit#supports} the config
 * and falls back to eager otherwise; {@link ForwardEngine#EAGER} never compiles. {@link
 * Precision#AUTO} resolves with {@link Precision#resolve}; bf16 and int8 need the compiled program,
 * so {@code auto} on the eager path is fp32 and an explicit {@code bf16} or {@code int8} there is
 * refused, as is {@code int8} on a GPU.
 */
public final class InferenceForward implements AutoCloseable {

    private final VitModel model;
    private final CompiledVit compiled;
    private final Precision.Choice precision;
    private final String reason;

    private InferenceForward(VitModel model, CompiledVit compiled, Precision.Choice precision, String reason) {
        this.model = model;
        this.compiled = compiled;
        this.precision = precision;
        this.reason = reason;
    }

    /**
     * The eager blocks in float32.
     *
     * @param model the model (not owned)
     * @return the forward
     */
    public static InferenceForward eager(VitModel model) {
        return new InferenceForward(model, null, new Precision.Choice(Precision.FP32, "eager blocks are fp32"),
                "eager requested");
    }

    /**
     * Chooses and, if compiled, builds the forward of a model.
     *
     * @param model the model (not owned: close the forward before the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @return the forward, for the caller to close
     * @throws IllegalArgumentException if bf16 or int8 is requested where only the eager blocks can run (int8: or on a GPU)
     */
    public static InferenceForward of(VitModel model, ForwardEngine engine, Precision precision) {
        return of(model, engine, precision, LinearKernel.AUTO);
    }

    /**
     * Chooses and, if compiled, builds the forward of a model with a requested linear kernel
     * (benchmarks compare them; {@code auto} is what {@link #of(VitModel, ForwardEngine, Precision)} uses).
     *
     * @param model the model (not owned: close the forward before the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @param kernel the requested linear kernel (ignored by the eager blocks)
     * @return the forward, for the caller to close
     * @throws IllegalArgumentException if bf16 or int8 is requested where only the eager blocks can run (int8: or on a GPU),
     *     or {@code onednn} in bf16 on a CPU without oneDNN bf16 support
     */
    public static InferenceForward of(VitModel model, ForwardEngine engine, Precision precision, LinearKernel kernel) {
        return of(model, engine, precision, KernelOptions.builder()
                .optLinear(new LinearKernel.Choice(kernel, kernel.cliName() + " requested")).build());
    }

    /**
     * Chooses and, if compiled, builds the forward of a model with a requested linear kernel and
     * batch parts ({@link BatchParts}: a batch of two or more images computed in parts at once,
     * one thread each; the eager blocks compute every batch whole).
     *
     * @param model the model (not owned: close the forward before the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @param kernel the requested linear kernel (ignored by the eager blocks)
     * @param parts the requested batch parts (ignored by the eager blocks)
     * @return the forward, for the caller to close
     * @throws IllegalArgumentException if bf16 or int8 is requested where only the eager blocks can run,
     *     or {@code onednn} in bf16 on a CPU without oneDNN bf16 support
     */
    public static InferenceForward of(VitModel model, ForwardEngine engine, Precision precision, LinearKernel kernel,
            BatchParts parts) {
        return of(model, engine, precision, KernelOptions.builder()
                .optLinear(new LinearKernel.Choice(kernel, kernel.cliName() + " requested")).build(), parts);
    }

    /**
     * Chooses and, if compiled, builds the forward of a model with kernel options, computing every
     * batch whole.
     *
     * @param model the model (not owned: close the forward before the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @param options the kernel options (ignored by the eager blocks)
     * @return the forward, for the caller to close
     * @throws IllegalArgumentException as {@link #of(VitModel, ForwardEngine, Precision, KernelOptions, BatchParts)}
     */
    public static InferenceForward of(VitModel model, ForwardEngine engine, Precision precision, KernelOptions options) {
        return of(model, engine, precision, options, BatchParts.of(1));
    }

    /**
     * Chooses and, if compiled, builds the forward of a model with kernel options: the requested
     * linear kernel ({@code options.linear()}'s kernel, {@code auto} where null, resolved here for
     * the precision and device), the attention kernel, the batch they are chosen for, the cache;
     * and batch parts ({@link BatchParts}: a batch of two or more images computed in parts at
     * once, one thread each; the eager blocks compute every batch whole).
     *
     * @param model the model (not owned: close the forward before the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @param options the kernel options (ignored by the eager blocks)
     * @param parts the requested batch parts (ignored by the eager blocks)
     * @return the forward, for the caller to close
     * @throws IllegalArgumentException if bf16 or int8 is requested where only the eager blocks can run,
     *     {@code onednn} in bf16 on a CPU without oneDNN bf16 support, or {@code mkl} in bf16
     */
    public static InferenceForward of(VitModel model, ForwardEngine engine, Precision precision, KernelOptions options,
            BatchParts parts) {
        LinearKernel requested = options.linear() == null ? LinearKernel.AUTO : options.linear().kernel();
        Choice c = choose(model.getConfig(), model.getDevice(), engine, precision, requested);
        if (c.kernel() == null) {
            return new InferenceForward(model, null, c.precision(), c.reason());
        }
        KernelOptions resolved = new KernelOptions(c.kernel(), options.attention(), options.batch(),
                options.cacheDirectory(), options.remeasure());
        CompiledVit compiled = CompiledVit.compile(model.getBlock(), c.precision(), resolved,
                parts.resolve(model.getDevice()), model.getModel().getNDManager());
        return new InferenceForward(model, compiled, c.precision(), c.reason());
    }

    /**
     * The DJL {@link Block} of a network, chosen as {@link #of(VitModel, ForwardEngine, Precision)}
     * chooses: a {@link CompiledBlock} where the compiled program runs, else the eager network
     * itself. For DJL's {@code Criteria}, which builds the block before any {@link VitModel} exists
     * ({@code org.vit4j.infer.VitBlockFactory}).
     *
     * @param network the network with its weights, on {@code manager}'s device
     * @param manager owns the program (the DJL model's manager: it is freed with the model)
     * @param engine the requested engine
     * @param precision the requested precision
     * @return the block
     * @throws IllegalArgumentException if bf16 or int8 is requested where only the eager blocks can run (int8: or on a GPU)
     */
    public static Block block(VisionTransformer network, NDManager manager, ForwardEngine engine,
            Precision precision) {
        Choice c = choose(network.getConfig(), manager.getDevice(), engine, precision, LinearKernel.AUTO);
        return c.kernel() == null ? network : new CompiledBlock(network, c.precision(), c.kernel(), manager);
    }

    /** The choice: precision, linear kernel (null where the eager blocks run) and why. */
    private record Choice(Precision.Choice precision, LinearKernel.Choice kernel, String reason) {}

    private static Choice choose(ViTConfig config, Device device, ForwardEngine engine, Precision precision,
            LinearKernel kernel) {
        String unsupported = CompiledVit.unsupported(config);
        String reason;
        if (engine == ForwardEngine.EAGER) {
            reason = "eager requested";
        } else if (unsupported != null) {
            reason = "fallback: " + unsupported;
        } else {
            CpuFeatures cpu = CpuFeatures.current();
            if (precision == Precision.INT8 && device.isGpu()) {
                throw new IllegalArgumentException("precision int8 runs on the CPU only (libtorch's quantized kernels),"
                        + " not on " + device);
            }
            Precision.Choice p = precision.resolve(device, cpu);
            LinearKernel.Choice k = device.isGpu()
                    ? new LinearKernel.Choice(LinearKernel.ATEN, "GPU: aten::linear (cuBLAS)")
                    : p.precision() == Precision.INT8 ? CompiledVit.INT8_FALLBACK
                    : kernel.resolve(p.precision(), cpu);
            return new Choice(p, k, "compiled requested");
        }
        if (precision == Precision.BF16 || precision == Precision.INT8) {
            throw new IllegalArgumentException("precision " + precision.cliName()
                    + " needs the compiled forward, but the eager blocks run (" + reason + ")");
        }
        Precision.Choice p = precision == Precision.AUTO
                ? new Precision.Choice(Precision.FP32, "auto: the eager blocks are fp32")
                : new Precision.Choice(Precision.FP32, "fp32 requested");
        return new Choice(p, null, reason);
    }

    /** @return the engine that runs: {@code COMPILED} or {@code EAGER} */
    public ForwardEngine engine() {
        return compiled != null ? ForwardEngine.COMPILED : ForwardEngine.EAGER;
    }

    /** @return the precision that runs, with the reason */
    public Precision.Choice precision() {
        return precision;
    }

    /** @return why this engine runs (e.g. {@code fallback: position embedding ...}) */
    public String reason() {
        return reason;
    }

    /** @return e.g. {@code compiled (compiled requested), bf16 (auto: CPU has avx512_bf16)} */
    public String describe() {
        return engine().cliName() + " (" + reason + "), " + precision;
    }

    /**
     * The linear kernels of the compiled program ({@link KernelRoutes#describeLinear}).
     *
     * @return e.g. {@code auto (auto: fp32, measured per weight shape) at 197 rows: 2304x768 mkl-packed (12
     *     layers), ...}, or {@code eager blocks (aten::linear)}
     */
    public String describeLinearKernels() {
        return compiled != null ? compiled.routes().describeLinear() : "eager blocks (aten::linear)";
    }

    /**
     * How batches are computed ({@link CompiledVit#describeBatchParts}).
     *
     * @return e.g. {@code 2 parts (auto: 2 intra-op threads, 1 inter-op thread), parts on one thread
     *     each}, or {@code 1 part (eager blocks)}
     */
    public String describeBatchParts() {
        return compiled != null ? compiled.describeBatchParts() : "1 part (eager blocks)";
    }

    /**
     * How many parts a batch is computed in ({@link BatchParts.Choice#partsFor}).
     *
     * @param batch the batch's images
     * @return the parts: 1 for one image, where batches are computed whole, or on the eager blocks
     */
    public int batchParts(long batch) {
        return compiled != null ? compiled.getBatchParts().partsFor(batch) : 1;
    }

    /**
     * The attention kernel of the compiled program ({@link KernelRoutes#attention}).
     *
     * @return {@code flash}, {@code matmul}, {@code matmul (bf16)}, or {@code eager blocks} for those
     */
    public String describeAttentionKernel() {
        return compiled != null ? compiled.routes().attention() : "eager blocks";
    }

    /**
     * The kernel measurements of the compiled program ({@link KernelRoutes#measurements}).
     *
     * @return the measurements; empty for the eager blocks
     */
    public java.util.List<KernelMeasurement> kernelMeasurements() {
        return compiled != null ? compiled.routes().measurements() : java.util.List.of();
    }

    /** @return the compiled program, or null where the eager blocks run */
    public CompiledVit compiled() {
        return compiled;
    }

    /**
     * Logits and pooled embedding.
     *
     * @param images {@code (B, C, H, W)}, normalized
     * @return {@code NDList(logits (B, K), pooled (B, D))}
     */
    public NDList forward(NDArray images) {
        return compiled != null ? compiled.forward(images) : model.forward(images);
    }

    /**
     * The pooled embedding (the head is not run).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, D)}
     */
    public NDArray pooled(NDArray images) {
        return compiled != null ? compiled.pooled(images) : model.pooled(images);
    }

    /**
     * Tokens before the encoder: patch and position embeddings, class and register tokens.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)}
     */
    public NDArray embed(NDArray images) {
        return compiled != null ? compiled.embed(images) : model.embed(images);
    }

    /**
     * Encoded tokens: every token after the encoder blocks and the final norm (timm's {@code
     * forward_features}).
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (B, c + R + N, D)}
     */
    public NDArray encoded(NDArray images) {
        return compiled != null ? compiled.encoded(images) : model.encoded(images);
    }

    /**
     * The attention probabilities of every block and head ({@link CompiledVit#attentionMaps} or
     * {@link VitModel#attentionMaps}), in fp32.
     *
     * @param images {@code (B, C, H, W)}
     * @return {@code (L, B, H, T, T)}, {@code T = c + R + N}
     * @throws IllegalStateException if the forward runs in bf16
     */
    public NDArray attentionMaps(NDArray images) {
        return compiled != null ? compiled.attentionMaps(images) : model.attentionMaps(images);
    }

    /** @return the model */
    public VitModel model() {
        return model;
    }

    /** Frees the compiled program (not the model). */
    @Override
    public void close() {
        if (compiled != null) {
            compiled.close();
        }
    }
}
