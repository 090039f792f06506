package org.vit4j.compiled;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What computes each product of a compiled program, as loaded: the route of every linear layer
 * ({@code load_weights} keeps a requested route only where it passes the program's check), the
 * attention route, and the measurements behind {@code auto} ({@link KernelChooser}). Fixed once the
 * program has its weights; {@code bench} and {@code info} print it.
 */
public final class KernelRoutes {

    private final Precision precision;
    private final LinearKernel.Choice requested;
    private final KernelChooser.Result chosen;
    private final Map<String, String> linear;
    private final Map<String, String> shapes;

    /**
     * @param precision the program's precision
     * @param requested the linear kernel asked for, with the reason
     * @param chosen the routes handed to the program and the measurements behind them
     * @param linear weight name to the route the program kept, in the program's {@code linear()} order
     * @param params the network's parameters (for the weights' shapes)
     */
    KernelRoutes(Precision precision, LinearKernel.Choice requested, KernelChooser.Result chosen,
            Map<String, String> linear, Map<String, Parameter> params) {
        this.precision = precision;
        this.requested = requested;
        this.chosen = chosen;
        this.linear = Collections.unmodifiableMap(new LinkedHashMap<>(linear));
        Map<String, String> s = new LinkedHashMap<>();
        for (String name : linear.keySet()) {
            Shape w = params.get(name).getArray().getShape(); // (out, in)
            s.put(name, w.get(0) + "x" + w.get(1));
        }
        this.shapes = s;
    }

    /** @return the linear kernel requested for the program, with the reason (per layer: {@link #linear}) */
    public LinearKernel.Choice requested() {
        return requested;
    }

    /**
     * What multiplies each linear layer: {@code onednn-packed} (a weight packed at load, {@code
     * mkldnn::_linear_pointwise}), {@code mkl-packed} (MKL's packed sgemm, {@code mkl::_mkl_linear}),
     * {@code int8} (an int8 weight, {@code quantized::linear_dynamic}: one activation scale per
     * image), {@code int8-rows} (an int8 weight, {@code aten::_int_mm}: one activation scale per
     * row) or {@code aten} ({@code aten::linear}: requested or measured fastest, or a route that
     * failed the program's load-time check).
     *
     * @return weight name (as {@link org.vit4j.model.VisionTransformer#namedParameters()}) to route, in
     *     program order
     */
    public Map<String, String> linear() {
        return linear;
    }

    /**
     * One line for {@code bench} and {@code info}: the requested kernel and the route each weight
     * shape got, with its number of layers (a route that failed the load-time check shows as {@code
     * aten}).
     *
     * @return e.g. {@code auto (auto: fp32, measured per weight shape) at 197 rows: 2304x768 mkl-packed (12
     *     layers), 768x768 onednn-packed (13 layers), ...}; in int8 {@code int8, 50 of 50 layers, at 197
     *     rows: 2304x768 int8-rows (12 layers), ...} (a layer that failed the load-time check shows as
     *     {@code aten}, fp32)
     */
    public String describeLinear() {
        String head = requested + " at ";
        if (precision == Precision.INT8) {
            long int8 = linear.values().stream().filter(r -> r.startsWith("int8")).count();
            head = "int8, " + int8 + " of " + linear.size() + " layers, at ";
        }
        Map<String, Map<String, Integer>> byShape = new LinkedHashMap<>();
        linear.forEach((name, route) ->
                byShape.computeIfAbsent(shapes.get(name), x -> new LinkedHashMap<>()).merge(route, 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        byShape.forEach((shape, routes) -> routes.forEach((route, n) -> parts.add(shape + " " + route + " ("
                + n + (n == 1 ? " layer)" : " layers)"))));
        return head + chosen.mklRows() + " rows: " + String.join(", ", parts);
    }

    /**
     * The attention route of the fp32 forward.
     *
     * @return {@code flash} or {@code matmul} ({@link AttentionKernel}); in bf16 always {@code matmul (bf16)}
     */
    public String attention() {
        return precision == Precision.BF16 ? "matmul (bf16)" : AttentionKernel.values()[chosen.attention()].cliName();
    }

    /**
     * The kernel shapes timed for {@code auto} (or read from the cache): each linear weight shape
     * and the attention shape, with every route's time and the choice. Empty where nothing was
     * measured (forced kernels, bf16, a GPU).
     *
     * @return the measurements, linear first
     */
    public List<KernelMeasurement> measurements() {
        return chosen.measurements();
    }
}
