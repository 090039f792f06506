package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.vit4j.cli.CliRun.run;

import org.junit.jupiter.api.Test;

/** Names that changed so that one idea has one word are refused with the new name, not silently taken. */
class FormerNamesTest {

    @Test
    void benchsLinearIsNowLinearKernel() {
        CliRun r = run("bench", "--variant", "micro", "--seconds", "0.2", "--linear", "aten");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j bench: --linear aten: now called --linear-kernel", r.errorLine());
    }

    @Test
    void trainTakesTheSharedEngineAndPrecisionOptions() {
        CliRun r = run("train", "--data", "fashion-mnist", "--out", "target/never", "--precision", "fp16");
        assertEquals(ExitCodes.USAGE, r.code(), r.err());
        assertEquals("vit4j train: --precision fp16: valid: fp32, bf16, int8, auto", r.errorLine());
        CliRun e = run("train", "--data", "fashion-mnist", "--out", "target/never", "--engine", "fast");
        assertEquals(ExitCodes.USAGE, e.code(), e.err());
        assertEquals("vit4j train: --engine fast: valid: compiled, eager", e.errorLine());
    }
}
