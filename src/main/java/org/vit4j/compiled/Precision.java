package org.vit4j.compiled;

import ai.djl.Device;
import java.util.Map;
import org.vit4j.Named;
import org.vit4j.Names;

/**
 * Number format of the compiled forward's matrix products and attention.
 *
 * <p>{@code bf16} is bfloat16 as under {@code torch.autocast}: linear weights are converted once at
 * load time, matrix products and attention run in bfloat16, LayerNorm, the softmax's accumulation,
 * the residual stream and the returned logits and embeddings stay float32. It needs the compiled
 * forward: the conversion happens inside TorchScript, so no bfloat16 array ever reaches DJL's
 * NDArray API (which cannot hold one).
 *
 * <p>{@code int8} is dynamic quantization of the linear layers: each weight is quantized once at
 * load time to int8 with one scale per output channel (symmetric), each call's activations are
 * quantized with scales from their range, the products are summed exactly in int32 and scaled back
 * to float32, by the faster for each weight shape of two routes, measured at load: {@code int8-rows}
 * ({@code aten::_int_mm}, a scale per token row, signed 8 bits) and {@code int8} (libtorch's
 * quantized kernel {@code quantized::linear_dynamic}, fbgemm on x86, a scale per image, unsigned 7
 * bits). LayerNorm, attention, softmax, GELU and the residual stream stay
 * float32. It needs the compiled forward on a CPU and is only used when asked for: {@code auto} never
 * picks it.
 */
public enum Precision implements Named {
    /** float32 throughout (the default). */
    FP32,
    /** bfloat16 matrix products and attention, float32 elsewhere. */
    BF16,
    /** int8 weights and dynamically quantized activations in the linear layers, float32 elsewhere (CPU only). */
    INT8,
    /** {@code bf16} where the hardware multiplies bfloat16 natively, else {@code fp32}; see {@link #resolve}. */
    AUTO;

    /**
     * Parses {@code fp32}, {@code bf16}, {@code int8} or {@code auto}.
     *
     * @param name the name (case-insensitive; {@code float32} and {@code bfloat16} are accepted)
     * @return the precision
     * @throws IllegalArgumentException naming the valid values
     */
    public static Precision fromName(String name) {
        return Names.parse(Precision.class, "precision", name,
                Map.of("float32", FP32, "bfloat16", BF16));
    }

    /**
     * The precision used on a device, with the reason.
     *
     * @param device where the model runs
     * @param cpu the CPU's features (read by {@link CpuFeatures#current()})
     * @return {@code fp32}, {@code bf16} or {@code int8} (only when requested), never {@code auto}
     */
    public Choice resolve(Device device, CpuFeatures cpu) {
        switch (this) {
            case FP32:
                return new Choice(FP32, "fp32 requested");
            case BF16:
                return new Choice(BF16, "bf16 requested");
            case INT8:
                return new Choice(INT8, "int8 requested");
            default:
                if (device.isGpu()) {
                    return new Choice(BF16, "auto: CUDA GPU");
                }
                if (cpu.hasNativeBf16()) {
                    return new Choice(BF16, "auto: CPU has " + String.join(" and ", cpu.bf16Flags()));
                }
                return new Choice(FP32, "auto: CPU has neither amx_bf16 nor avx512_bf16");
        }
    }

    /**
     * A resolved precision.
     *
     * @param precision {@code FP32}, {@code BF16} or {@code INT8}
     * @param reason why, for {@code bench} and {@code info} (e.g. {@code auto: CPU has avx512_bf16})
     */
    public record Choice(Precision precision, String reason) {
        /** @return {@code fp32 (auto: CPU has avx512_bf16)} */
        @Override
        public String toString() {
            return precision.cliName() + " (" + reason + ")";
        }
    }
}
