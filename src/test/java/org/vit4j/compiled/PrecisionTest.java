package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code auto} follows the CPU flags; names parse; /proc/cpuinfo text is read as the kernel writes it. */
class PrecisionTest {

    private static final String EPYC = "processor\t: 0\nvendor_id\t: AuthenticAMD\n"
            + "cpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9B14\nflags\t\t: fpu sse2 avx2 fma avx512f avx512_vnni avx512_bf16\n\n"
            + "processor\t: 1\nmodel name\t: other\nflags\t\t: fpu\n";

    @Test
    void parsesTheFirstProcessor() {
        CpuFeatures f = CpuFeatures.parse(EPYC);
        assertEquals("AMD EPYC 9B14", f.model());
        assertEquals(List.of("avx512_bf16"), f.bf16Flags());
        assertEquals("avx2 fma avx512f avx512_vnni avx512_bf16 (no avx512bw, amx_tile, amx_bf16)", f.summary());
        assertEquals("AuthenticAMD family 25 model 17", f.family());
    }

    @Test
    void autoPicksBf16OnlyWithNativeBf16OrAGpu() {
        CpuFeatures epyc = CpuFeatures.parse(EPYC);
        CpuFeatures sapphire = new CpuFeatures("x", Set.of("avx512f", "amx_bf16", "avx512_bf16"));
        CpuFeatures old = new CpuFeatures("x", Set.of("avx2", "avx512f"));
        assertEquals(new Precision.Choice(Precision.BF16, "auto: CPU has avx512_bf16"),
                Precision.AUTO.resolve(Device.cpu(), epyc));
        assertEquals(new Precision.Choice(Precision.BF16, "auto: CPU has amx_bf16 and avx512_bf16"),
                Precision.AUTO.resolve(Device.cpu(), sapphire));
        assertEquals(new Precision.Choice(Precision.FP32, "auto: CPU has neither amx_bf16 nor avx512_bf16"),
                Precision.AUTO.resolve(Device.cpu(), old));
        assertEquals(Precision.BF16, Precision.AUTO.resolve(Device.gpu(), old).precision());
        assertEquals(Precision.FP32, Precision.FP32.resolve(Device.gpu(), sapphire).precision());
        assertEquals(Precision.BF16, Precision.BF16.resolve(Device.cpu(), old).precision());
        assertEquals("bf16 (auto: CPU has avx512_bf16)", Precision.AUTO.resolve(Device.cpu(), epyc).toString());
    }

    @Test
    void namesParse() {
        assertEquals(Precision.BF16, Precision.fromName("BF16"));
        assertEquals(Precision.FP32, Precision.fromName("float32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Precision.fromName("fp16"));
        assertEquals("unknown precision 'fp16'; valid: fp32, bf16, int8, auto", e.getMessage());
    }
}
