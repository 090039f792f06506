package org.vit4j.compiled;

import org.vit4j.Named;
import org.vit4j.Names;

/**
 * How the compiled forward multiplies by its linear layers' weights.
 *
 * <p>{@code onednn}: each weight is reordered once, at load time, into oneDNN's blocked layout
 * ({@code mkldnn::_reorder_linear_weight}) and every product runs oneDNN's inner product ({@code
 * mkldnn::_linear_pointwise}) with fc1's exact GELU and the residual adds of proj and fc2 (fp32)
 * fused into its epilogue. {@code aten}: {@code aten::linear} on the plain weight (in fp32 MKL's
 * sgemm, which takes its AVX2 path on AMD CPUs; in bf16 oneDNN where libtorch supports bf16 on the
 * CPU, else its reference loops), with {@code aten::gelu} and {@code aten::add} after it.
 *
 * <p>{@code onednn} is also checked per weight shape at load time: the program compares the packed
 * product with {@code aten::linear} on a fixed input and keeps a weight plain where they disagree
 * (some AVX-512 CPUs give wrong products for packed weights whose out-features are not a multiple
 * of 64). {@link CompiledVit#linearKernels} says what each layer got.
 */
public enum LinearKernel implements Named {
    /** oneDNN inner product on weights packed once, GELU and residual adds fused. */
    ONEDNN,
    /** {@code aten::linear} on the plain weights. */
    ATEN,
    /** {@code onednn} where this CPU runs oneDNN's just-in-time kernels for the precision, else {@code aten}; see {@link #resolve}. */
    AUTO;

    /**
     * Parses {@code onednn}, {@code aten} or {@code auto}.
     *
     * @param name the name (case-insensitive)
     * @return the kernel
     * @throws IllegalArgumentException naming the valid values
     */
    public static LinearKernel fromName(String name) {
        return Names.parse(LinearKernel.class, "linear kernel", name);
    }

    /**
     * The kernel used for a precision on a CPU, with the reason. {@code auto} chooses by CPU
     * features, never by vendor: fp32 {@code onednn} needs AVX2 and FMA (oneDNN's {@code
     * brgemm:avx2} and {@code brgemm:avx512_core} kernels); bf16 {@code onednn} needs oneDNN's bf16
     * support, AVX512 BW/VL/DQ (emulated bf16, {@code avx512_core}), AVX512-BF16, AMX or
     * AVX-NE-CONVERT. Without it, {@code mkldnn::_linear_pointwise} has no bf16 kernel ("could not
     * create a primitive descriptor", checked on an AVX2-only AMD EPYC) and bf16 takes {@code aten}.
     *
     * @param precision {@code FP32} or {@code BF16}
     * @param cpu the CPU's features
     * @return {@code ONEDNN} or {@code ATEN}, never {@code AUTO}
     * @throws IllegalArgumentException if {@code onednn} is requested for bf16 on a CPU without bf16 support in oneDNN
     */
    public Choice resolve(Precision precision, CpuFeatures cpu) {
        boolean bf16 = precision == Precision.BF16;
        boolean supported = bf16 ? cpu.hasOneDnnBf16() : cpu.hasOneDnnFp32();
        String needs = bf16 ? "avx512bw+avx512vl+avx512dq, avx512_bf16, amx_bf16 or avx_ne_convert" : "avx2 and fma";
        switch (this) {
            case ONEDNN:
                if (bf16 && !supported) {
                    throw new IllegalArgumentException("linear kernel onednn in bf16 needs a CPU with " + needs
                            + " (this one: " + cpu.summary() + ")");
                }
                return new Choice(ONEDNN, "onednn requested");
            case ATEN:
                return new Choice(ATEN, "aten requested");
            default:
                return supported
                        ? new Choice(ONEDNN, "auto: " + precision.cliName() + " and CPU has " + (bf16 ? "one of " : "") + needs)
                        : new Choice(ATEN, "auto: " + precision.cliName() + " and CPU lacks " + needs);
        }
    }

    /**
     * A resolved kernel.
     *
     * @param kernel {@code ONEDNN} or {@code ATEN}
     * @param reason why (e.g. {@code auto: CPU has avx2 and fma})
     */
    public record Choice(LinearKernel kernel, String reason) {
        /** @return {@code onednn (auto: CPU has avx2 and fma)} */
        @Override
        public String toString() {
            return kernel.cliName() + " (" + reason + ")";
        }
    }
}
