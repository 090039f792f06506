package org.vit4j.compiled;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vit4j.model.Architecture;
import org.vit4j.model.VisionTransformer;

/**
 * Chooses the compiled forward's kernels: each linear layer's route ({@link LinearKernel}) and the
 * fp32 attention route ({@link AttentionKernel}), by measurement where {@code auto} asks for it.
 *
 * <p>Rows: a pass over {@code batch} images ({@link KernelOptions#batch}) multiplies {@code T x
 * batch} rows in every block's four linear layers, {@code T} the tokens of one image at the
 * configured size (patches, class token, registers); MKL's weights are packed for that row count
 * and every route is timed at it. The patch embedding ({@code N x batch} rows) and the head ({@code
 * batch} rows) take the route measured for their weight shape at {@code T x batch} rows (their share
 * of a pass is small; an MKL-packed weight multiplies them by {@code aten::linear}).
 *
 * <p>Timing: for each distinct weight shape {@code (out, in)}, every route the precision allows
 * (fp32: {@code aten}, {@code onednn-packed}, {@code mkl-packed}; int8: {@code int8}, {@code
 * int8-rows}) is stored by the program ({@code store}), checked against {@code aten::linear} ({@code
 * agrees}; a route that disagrees is not timed), and timed on one of the network's own weights of
 * that shape: one call to warm up (oneDNN creates its primitive, MKL its threads), one to size the
 * repeats, then five rounds that time every route in turn, each call {@code reps} products ({@code
 * time_linear}, {@link System#nanoTime}) of at least about 5 ms; each route's least time per product
 * counts (with three rounds of 2 ms, the first shape measured in a process sometimes read twice its
 * time). The fastest route whose product of a row does not change with the rows around it ({@code
 * invariant}, bit for bit) is kept, so that an image gives the same bits alone and in a batch (as
 * {@code infer.BatchingModel} promises); where every route changes with the batch, {@code aten}, the
 * program's own fallback, and so where every int8 route fails the check (that layer runs fp32). int8
 * times its routes on the rows as {@code (batch, T, in)}, as the forward passes them ({@code int8}
 * quantizes each image with its own scale). MKL's packed weights serve one row count only, so {@code
 * mkl-packed} is typically timed but not chosen by {@code auto}; {@code --linear-kernel mkl} forces
 * it. Attention times both routes on {@code (batch, H, T, hd)} the same way. bf16 is not measured:
 * {@link LinearKernel#resolve} picks by CPU features, and bf16 attention is always two products.
 *
 * <p>Cache: each measurement is stored in {@link KernelCache} under the CPU, libtorch's version and
 * threads, the precision, the shape and the rows; a later load with the same key takes the cached
 * choice without timing (so a given cache entry gives the same choice every time).
 */
final class KernelChooser {

    /** Least time of one timed call, so the clock's resolution and call overhead do not decide. */
    private static final double MIN_CALL_SECONDS = 5e-3;

    private static final int MAX_REPS = 64;

    private static final int REPEATS = 5;

    /**
     * The chosen routes.
     *
     * @param linear one route code per linear layer, in the program's {@code linear()} order
     * @param attention the fp32 attention route code
     * @param mklRows the rows MKL's weights are packed for
     * @param measurements the shapes measured or read from the cache, linear first
     */
    record Result(long[] linear, int attention, long mklRows, List<KernelMeasurement> measurements) {}

    private final VitProgram program;
    private final PtSymbolBlock module;
    private final VisionTransformer network;
    private final Precision precision;
    private final KernelOptions options;
    private final PrintStream err;

    KernelChooser(VitProgram program, Precision precision, KernelOptions options, PrintStream err) {
        this.program = program;
        this.module = program.module();
        this.network = program.network();
        this.precision = precision;
        this.options = options;
        this.err = err;
    }

    /** @return the tokens of one image at the configured size: patches, class token and registers */
    static int tokens(Architecture a) {
        return a.grid().size() + (a.classToken() ? 1 : 0) + a.registerTokens();
    }

    /**
     * Chooses, tells the program the MKL row count and the attention route ({@code set_kernels}),
     * and caches new measurements.
     *
     * @param linear the resolved linear kernel ({@code AUTO}: measured)
     * @param gpu whether the network is on a GPU (nothing is measured: {@code aten}, {@code flash})
     * @param linearNames the linear layers' weight names, in the program's order
     * @return the routes and measurements
     */
    Result choose(LinearKernel linear, boolean gpu, List<String> linearNames) {
        Architecture a = network.getConfig().architecture();
        long rows = (long) tokens(a) * options.batch();
        setKernels(rows, 0);
        boolean fp32 = precision == Precision.FP32;
        boolean int8 = precision == Precision.INT8;
        boolean measureLinear = !gpu && (int8 || fp32 && (linear == LinearKernel.AUTO || options.remeasure()));
        boolean measureAttention = !gpu && fp32 && (options.attention() == AttentionKernel.AUTO || options.remeasure());
        List<KernelMeasurement> measured = new ArrayList<>();
        long[] codes = new long[linearNames.size()];
        int attention = options.attention() == AttentionKernel.AUTO ? AttentionKernel.FLASH.route()
                : options.attention().route();
        if (!measureLinear && !measureAttention) {
            Arrays.fill(codes, linear == LinearKernel.AUTO ? LinearKernel.ATEN.route() : linear.route());
            setKernels(rows, attention);
            return new Result(codes, attention, rows, measured);
        }
        KernelCache cache = KernelCache.open(options.cacheDirectory(), err);
        String libtorch = Engine.getEngine("PyTorch").getVersion();
        int threads = JniUtils.getNumThreads();
        CpuFeatures cpu = CpuFeatures.current();
        Map<String, Parameter> params = network.namedParameters();
        Map<String, KernelMeasurement> byShape = new LinkedHashMap<>();
        try (NDManager m = program.manager().newSubManager()) {
            for (int i = 0; i < codes.length; i++) {
                NDArray w = params.get(linearNames.get(i)).getArray();
                String shape = w.getShape().get(0) + "x" + w.getShape().get(1);
                if (measureLinear && !byShape.containsKey(shape)) {
                    String key = KernelCache.key(cpu, libtorch, threads, precision, "linear " + shape, rows);
                    KernelMeasurement k = options.remeasure() ? null : cache.get(key).orElse(null);
                    if (k == null) {
                        k = measureLinear(m, w, shape, rows);
                        cache.put(key, k);
                    }
                    byShape.put(shape, k);
                    measured.add(k);
                }
                codes[i] = linear != LinearKernel.AUTO && !int8 ? linear.route()
                        : routeCode(byShape.get(shape).choice());
            }
            if (measureAttention) {
                int heads = a.heads();
                long shape0 = options.batch();
                int t = tokens(a);
                int hd = a.width() / heads;
                String shape = shape0 + "x" + heads + "x" + t + "x" + hd;
                String key = KernelCache.key(cpu, libtorch, threads, precision, "attention " + shape, shape0);
                KernelMeasurement k = options.remeasure() ? null : cache.get(key).orElse(null);
                if (k == null) {
                    k = measureAttention(m, new Shape(shape0, heads, t, hd), shape);
                    cache.put(key, k);
                }
                measured.add(k);
                if (options.attention() == AttentionKernel.AUTO) {
                    attention = AttentionKernel.fromName(k.choice()).route();
                }
            }
        }
        cache.save();
        setKernels(rows, attention);
        return new Result(codes, attention, rows, measured);
    }

    /** The routes of each precision that is measured. */
    static List<String> routes(Precision precision) {
        return precision == Precision.INT8 ? List.of("int8", "int8-rows") : List.of("aten", "onednn-packed", "mkl-packed");
    }

    /** The code of a route name ({@code vit.py route_names()}). */
    static int routeCode(String name) {
        List<String> names = List.of("aten", "onednn-packed", "mkl-packed", "int8", "int8-rows");
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("unknown linear route " + name + "; known: " + names);
        }
        return i;
    }

    private void setKernels(long rows, int attention) {
        try (IValue r = IValue.from(rows); IValue at = IValue.from((long) attention);
                IValue out = IValueUtils.runMethod(module, "set_kernels", r, at)) {
            if (out.toLong() != rows) {
                throw new IllegalStateException("set_kernels returned " + out.toLong());
            }
        }
    }

    /** An input whose values are fixed and varied (no random numbers: the generator's state is the user's). */
    private static NDArray input(NDManager m, Shape shape) {
        return m.arange(0, (int) shape.size(), 1, DataType.FLOAT32).mul(0.37f).sin().reshape(shape);
    }

    private KernelMeasurement measureLinear(NDManager m, NDArray w, String shape, long rows) {
        long out = w.getShape().get(0);
        long in = w.getShape().get(1);
        // int8 takes the rows as (batch, T, in): the int8 route quantizes each image with its own scale
        NDArray x = input(m, precision == Precision.INT8 ? new Shape(options.batch(), rows / options.batch(), in)
                : new Shape(rows, in));
        NDArray b = m.zeros(new Shape(out));
        Map<String, Trial> trials = new LinkedHashMap<>();
        List<String> rejected = new ArrayList<>();
        List<String> batchDependent = new ArrayList<>();
        List<IValue> open = new ArrayList<>();
        try {
            IValue wv = keep(open, IValue.from((PtNDArray) w));
            IValue bv = keep(open, IValue.from((PtNDArray) b));
            IValue xv = keep(open, IValue.from((PtNDArray) x));
            for (String route : routes(precision)) {
                IValue rv = keep(open, IValue.from((long) routeCode(route)));
                IValue stored = keep(open, IValueUtils.runMethod(module, "store", wv, rv));
                try (IValue ok = IValueUtils.runMethod(module, "agrees", stored, wv, rv)) {
                    if (!ok.toBoolean()) {
                        rejected.add(route);
                        continue;
                    }
                }
                try (IValue same = IValueUtils.runMethod(module, "invariant", stored, wv, rv)) {
                    if (!same.toBoolean()) {
                        batchDependent.add(route);
                    }
                }
                trials.put(route, reps -> {
                    try (IValue n = IValue.from((long) reps);
                            IValue y = IValueUtils.runMethod(module, "time_linear", stored, bv, xv, rv, n)) {
                        y.isTensor(); // the last product, freed here
                    }
                });
            }
            Map<String, Double> seconds = time(trials);
            return new KernelMeasurement("linear", shape, rows, 2.0 * rows * out * in, seconds, rejected, batchDependent,
                    KernelMeasurement.fastest(seconds, batchDependent), "measured");
        } finally {
            open.forEach(IValue::close);
        }
    }

    private static IValue keep(List<IValue> open, IValue v) {
        open.add(v);
        return v;
    }

    private KernelMeasurement measureAttention(NDManager m, Shape qShape, String shape) {
        NDArray q = input(m, qShape).mul(0.5f);
        NDArray k = input(m, qShape).mul(-0.25f);
        NDArray v = input(m, qShape);
        Map<String, Trial> trials = new LinkedHashMap<>();
        List<IValue> open = new ArrayList<>();
        try {
            IValue qv = keep(open, IValue.from((PtNDArray) q));
            IValue kv = keep(open, IValue.from((PtNDArray) k));
            IValue vv = keep(open, IValue.from((PtNDArray) v));
            for (AttentionKernel route : List.of(AttentionKernel.FLASH, AttentionKernel.MATMUL)) {
                IValue rv = keep(open, IValue.from((long) route.route()));
                trials.put(route.cliName(), reps -> {
                    try (IValue n = IValue.from((long) reps);
                            IValue y = IValueUtils.runMethod(module, "time_attention", qv, kv, vv, rv, n)) {
                        y.isTensor(); // the last output, freed here
                    }
                });
            }
            Map<String, Double> seconds = time(trials);
            long t = qShape.get(2);
            double flops = 4.0 * qShape.get(0) * qShape.get(1) * t * t * qShape.get(3); // q k^T and p v
            return new KernelMeasurement("attention", shape, qShape.get(0), flops, seconds, List.of(), List.of(),
                    KernelMeasurement.fastest(seconds, List.of()), "measured");
        } finally {
            open.forEach(IValue::close);
        }
    }

    /** A program call that runs a route {@code reps} times. */
    @FunctionalInterface
    private interface Trial {
        void run(int reps);
    }

    /**
     * Seconds per repetition of each route: each warmed up (one call) and sized (reps so that a
     * call takes about {@link #MIN_CALL_SECONDS}), then {@link #REPEATS} rounds that time every route
     * in turn, so that a passing load on the machine falls on all of them alike; the least per route.
     */
    private static Map<String, Double> time(Map<String, Trial> trials) {
        Map<String, Integer> reps = new LinkedHashMap<>();
        trials.forEach((route, trial) -> {
            trial.run(1);
            long t0 = System.nanoTime();
            trial.run(1);
            double one = Math.max(1e-9, (System.nanoTime() - t0) / 1e9);
            reps.put(route, (int) Math.max(1, Math.min(MAX_REPS, Math.ceil(MIN_CALL_SECONDS / one))));
        });
        Map<String, Double> best = new LinkedHashMap<>();
        for (int i = 0; i < REPEATS; i++) {
            trials.forEach((route, trial) -> {
                int n = reps.get(route);
                long s = System.nanoTime();
                trial.run(n);
                best.merge(route, (System.nanoTime() - s) / 1e9 / n, Math::min);
            });
        }
        return best;
    }
}
