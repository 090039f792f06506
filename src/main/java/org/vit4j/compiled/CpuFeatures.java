package org.vit4j.compiled;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The CPU flags that decide {@link Precision#AUTO}, read from {@code /proc/cpuinfo}.
 *
 * @param model the CPU's model name, or {@code unknown}
 * @param family vendor, family and model numbers, e.g. {@code AuthenticAMD family 25 model 1}, or {@code unknown}
 * @param flags the flags of the first processor (empty where there is no {@code /proc/cpuinfo})
 */
public record CpuFeatures(String model, String family, Set<String> flags) {

    /** Flags of native bfloat16 matrix units: Intel AMX and AVX512-BF16 (Intel, AMD Zen 4+). */
    public static final List<String> BF16_FLAGS = List.of("amx_bf16", "avx512_bf16");

    /**
     * Copies the flags.
     *
     * @param model the CPU's model name
     * @param family vendor, family and model numbers
     * @param flags the CPU's flags
     */
    public CpuFeatures {
        flags = Set.copyOf(flags);
    }

    /**
     * Features with an unknown family.
     *
     * @param model the CPU's model name
     * @param flags the CPU's flags
     */
    public CpuFeatures(String model, Set<String> flags) {
        this(model, "unknown", flags);
    }

    /** @return this machine's features, read once per call */
    public static CpuFeatures current() {
        try {
            return parse(Files.readString(Path.of("/proc/cpuinfo")));
        } catch (IOException | UnsupportedOperationException e) {
            return new CpuFeatures("unknown", "unknown", Set.of()); // not Linux: auto means fp32 on the CPU
        }
    }

    /**
     * Parses the text of {@code /proc/cpuinfo}: the first {@code model name} and {@code flags} lines.
     *
     * @param cpuinfo the file's text
     * @return the features
     */
    public static CpuFeatures parse(String cpuinfo) {
        String model = "unknown";
        Set<String> flags = null;
        java.util.Map<String, String> ids = new java.util.HashMap<>();
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String key = line.substring(0, colon).strip();
            String value = line.substring(colon + 1).strip();
            if (key.equals("model name") && model.equals("unknown")) {
                model = value;
            } else if (List.of("vendor_id", "cpu family", "model").contains(key)) {
                ids.putIfAbsent(key, value);
            } else if (key.equals("flags") && flags == null) {
                flags = new TreeSet<>(List.of(value.split("\\s+")));
            }
        }
        String family = ids.containsKey("cpu family")
                ? ids.getOrDefault("vendor_id", "?") + " family " + ids.get("cpu family") + " model " + ids.getOrDefault("model", "?")
                : "unknown";
        return new CpuFeatures(model, family, flags == null ? Set.of() : flags);
    }

    /** @return the {@link #BF16_FLAGS} this CPU has, in that order */
    public List<String> bf16Flags() {
        List<String> out = new ArrayList<>();
        for (String f : BF16_FLAGS) {
            if (flags.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** @return whether the CPU multiplies bfloat16 natively (AMX or AVX512-BF16) */
    public boolean hasNativeBf16() {
        return !bf16Flags().isEmpty();
    }

    /** @return whether oneDNN runs its just-in-time fp32 kernels here (AVX2 and FMA: {@code brgemm:avx2} or better) */
    public boolean hasOneDnnFp32() {
        return flags.contains("avx2") && flags.contains("fma");
    }

    /**
     * Whether oneDNN (and so {@code mkldnn::_linear_pointwise}) computes in bfloat16 here: AVX512
     * BW, VL and DQ (bf16 emulated with {@code avx512_core}), AVX512-BF16, AMX or AVX-NE-CONVERT,
     * the CPUs that ideep's {@code has_bf16_type_support} accepts.
     *
     * @return true if a bf16 inner product can be created
     */
    public boolean hasOneDnnBf16() {
        return flags.containsAll(List.of("avx512bw", "avx512vl", "avx512dq")) || hasNativeBf16()
                || flags.contains("avx_ne_convert");
    }

    /**
     * The CPU in one line, as a run's provenance records it.
     *
     * @return model name (family; {@link #summary}), e.g. {@code AMD EPYC (AuthenticAMD family 25
     *     model 17; avx2 fma avx512f avx512bw avx512_vnni avx512_bf16 (no amx_tile, amx_bf16))}
     */
    public String describe() {
        return model + " (" + family + "; " + summary() + ")";
    }

    /**
     * The flags that matter for matrix products, for benchmark tables.
     *
     * @return e.g. {@code avx2 avx512f avx512_bf16 (no amx_bf16)}
     */
    public String summary() {
        List<String> shown = new ArrayList<>();
        List<String> absent = new ArrayList<>();
        for (String f : List.of("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16")) {
            (flags.contains(f) ? shown : absent).add(f);
        }
        return String.join(" ", shown) + (absent.isEmpty() ? "" : " (no " + String.join(", ", absent) + ")");
    }
}
