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
 * CPU, else its reference loops), with {@code aten::gelu} and {@code aten::add} after it. {@code
 * mkl} (fp32 only): each weight packed once by MKL's {@code cblas_sgemm_pack} ({@code
 * mkl::_mkl_reorder_linear_weight}) for the row count of one pass at the batch the forward is
 * compiled for ({@link KernelOptions#batch}), multiplied by {@code cblas_sgemm_compute} ({@code
 * mkl::_mkl_linear}); a pass with another row count (another batch, the patch embedding, the head)
 * multiplies by {@code aten::linear} on the plain weight, which {@code mkl::_mkl_linear} keeps for
 * that. {@code auto}: in fp32 on a CPU, each distinct weight shape's route is chosen by measuring
 * every route at the compiled row count ({@link KernelChooser}); in bf16 {@code onednn} where this
 * CPU runs oneDNN's bf16 kernels, else {@code aten}; on a GPU {@code aten}.
 *
 * <p>Every route is also checked per weight shape at load time: the program compares its product
 * with {@code aten::linear} on a fixed input and keeps a weight plain where they disagree (some
 * AVX-512 CPUs give wrong products for oneDNN-packed weights whose out-features are not a multiple
 * of 64). {@link KernelRoutes#linear} says what each layer got.
 */
public enum LinearKernel implements Named {
    /** oneDNN inner product on weights packed once, GELU and residual adds fused. */
    ONEDNN,
    /** {@code aten::linear} on the plain weights. */
    ATEN,
    /** MKL's packed sgemm on weights packed once for the compiled row count (fp32). */
    MKL,
    /** Measured per weight shape in fp32 on a CPU; see {@link #resolve}. */
    AUTO;

    /**
     * Parses {@code onednn}, {@code aten}, {@code mkl} or {@code auto}.
     *
     * @param name the name (case-insensitive)
     * @return the kernel
     * @throws IllegalArgumentException naming the valid values
     */
    public static LinearKernel fromName(String name) {
        return Names.parse(LinearKernel.class, "linear kernel", name);
    }

    /**
     * The program's code of this kernel's route ({@code vit.py route_names()}).
     *
     * @return 0 {@code aten}, 1 {@code onednn}, 2 {@code mkl}
     * @throws IllegalStateException for {@code auto}, which has a route per shape
     */
    public int route() {
        return switch (this) {
            case ATEN -> 0;
            case ONEDNN -> 1;
            case MKL -> 2;
            case AUTO -> throw new IllegalStateException("auto has a route per weight shape");
        };
    }

    /**
     * The kernel used for a precision on a CPU, with the reason. Never by vendor. fp32 {@code auto}
     * stays {@code AUTO}: measured per weight shape when the forward is compiled. bf16 {@code auto}
     * follows CPU features: {@code onednn} needs oneDNN's bf16 support, AVX512 BW/VL/DQ (emulated
     * bf16, {@code avx512_core}), AVX512-BF16, AMX or AVX-NE-CONVERT. Without it, {@code
     * mkldnn::_linear_pointwise} has no bf16 kernel ("could not create a primitive descriptor",
     * checked on an AVX2-only AMD EPYC) and bf16 takes {@code aten}.
     *
     * @param precision {@code FP32} or {@code BF16}
     * @param cpu the CPU's features
     * @return {@code ONEDNN}, {@code ATEN}, {@code MKL}, or {@code AUTO} (fp32: measured)
     * @throws IllegalArgumentException if {@code onednn} is requested for bf16 on a CPU without bf16
     *     support in oneDNN, or {@code mkl} for bf16
     */
    public Choice resolve(Precision precision, CpuFeatures cpu) {
        boolean bf16 = precision == Precision.BF16;
        String needs = "avx512bw+avx512vl+avx512dq, avx512_bf16, amx_bf16 or avx_ne_convert";
        switch (this) {
            case ONEDNN:
                if (bf16 && !cpu.hasOneDnnBf16()) {
                    throw new IllegalArgumentException("linear kernel onednn in bf16 needs a CPU with " + needs
                            + " (this one: " + cpu.summary() + ")");
                }
                return new Choice(ONEDNN, "onednn requested");
            case ATEN:
                return new Choice(ATEN, "aten requested");
            case MKL:
                if (bf16) {
                    throw new IllegalArgumentException("linear kernel mkl is fp32 only (MKL's packed sgemm);"
                            + " bf16 takes onednn or aten");
                }
                return new Choice(MKL, "mkl requested");
            default:
                if (!bf16) {
                    return new Choice(AUTO, "auto: fp32, measured per weight shape");
                }
                return cpu.hasOneDnnBf16()
                        ? new Choice(ONEDNN, "auto: bf16 and CPU has one of " + needs)
                        : new Choice(ATEN, "auto: bf16 and CPU lacks " + needs);
        }
    }

    /**
     * A resolved kernel.
     *
     * @param kernel {@code ONEDNN}, {@code ATEN}, {@code MKL}, or {@code AUTO} (measured per shape)
     * @param reason why (e.g. {@code auto: fp32, measured per weight shape})
     */
    public record Choice(LinearKernel kernel, String reason) {
        /** @return {@code auto (auto: fp32, measured per weight shape)} */
        @Override
        public String toString() {
            return kernel.cliName() + " (" + reason + ")";
        }
    }
}
