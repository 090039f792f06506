package org.vit4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vit4j.cli.CliRun.run;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.CpuFeatures;

/** {@code --engine} and {@code --precision}: what runs is reported, what cannot run is refused. */
class ForwardOptionsTest {

    @Test
    void benchReportsEngineAndPrecisionWithReasons() {
        CliRun r = run("bench", "--variant", "micro", "--batch-size", "2", "--seconds", "0.3", "--format", "json",
                "--precision", "auto");
        assertEquals(0, r.code(), r.err());
        JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
        assertEquals("compiled", o.get("engine").getAsString());
        boolean bf16 = CpuFeatures.current().hasNativeBf16();
        assertEquals(bf16 ? "bf16" : "fp32", o.get("precision").getAsString());
        assertTrue(o.get("precision_reason").getAsString().startsWith("auto: CPU has"), o.toString());

        CliRun eager = run("bench", "--variant", "micro", "--seconds", "0.2", "--format", "json", "--engine", "eager");
        assertEquals(0, eager.code(), eager.err());
        JsonObject e = JsonParser.parseString(eager.out()).getAsJsonObject();
        assertEquals("eager", e.get("engine").getAsString());
        assertEquals("fp32", e.get("precision").getAsString());
    }

    @Test
    void benchMeasuresTheVariantWithTheGivenPositionEmbedding() {
        for (String kind : new String[] {"rope-mixed", "rope-axial+learned", "none"}) {
            CliRun r = run("bench", "--variant", "micro", "--pos-emb", kind, "--seconds", "0.2", "--format", "json");
            assertEquals(0, r.code(), r.err());
            JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
            assertEquals(kind, o.get("pos_emb").getAsString());
            assertEquals("compiled", o.get("engine").getAsString(), o.toString());
            CliRun t = run("bench", "--variant", "micro", "--pos-emb", kind, "--seconds", "0.2");
            assertEquals(0, t.code(), t.err());
            assertTrue(t.out().startsWith("micro --pos-emb " + kind + " 64x64 batch 1"), t.out());
        }
        CliRun plain = run("bench", "--variant", "micro", "--seconds", "0.2", "--format", "json");
        assertEquals(0, plain.code(), plain.err());
        assertEquals("learned", JsonParser.parseString(plain.out()).getAsJsonObject().get("pos_emb").getAsString(),
                "the variant's own position embedding");
    }

    @Test
    void bf16OnTheEagerBlocksAndUnknownNamesAreUsageErrors() {
        CliRun r = run("bench", "--variant", "micro", "--seconds", "0.2", "--engine", "eager", "--precision", "bf16");
        assertEquals(ExitCodes.USAGE, r.code());
        assertEquals("vit4j bench: --precision bf16: needs the compiled forward; --engine eager runs the eager blocks",
                r.errorLine());
        CliRun bad = run("bench", "--variant", "micro", "--seconds", "0.2", "--precision", "fp16");
        assertEquals(ExitCodes.USAGE, bad.code());
        assertEquals("vit4j bench: --precision fp16: valid: fp32, bf16, int8, auto", bad.errorLine());
    }
}
