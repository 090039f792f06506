package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.model.Architecture;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.ConfigCases.Case;
import org.vit4j.model.TestModels;
import org.vit4j.model.ViTConfig;
import org.vit4j.model.VitModel;

/**
 * The attention probabilities of the compiled program ({@code attention_maps}) and of the eager
 * blocks agree within 1e-5 for every configuration of {@link ConfigCases} (all compile), at the
 * configured size and at another, non-square grid; each row sums to 1.
 */
class AttentionMapsParityTest {

    private static final double TOLERANCE = 1e-5;

    static List<Case> cases() {
        return ConfigCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiledMapsAgreeWithTheEagerBlocksAndRowsSumToOne(Case c) throws IOException {
        ViTConfig config = c.config();
        assertNull(CompiledVit.unsupported(config), c.name());
        Architecture a = config.architecture();
        int p = a.patchSize();
        try (VitModel model = TestModels.create(config, 7);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(),
                        new Precision.Choice(Precision.FP32, "test"), model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            for (Shape s : List.of(new Shape(2, a.channels(), a.imageHeight(), a.imageWidth()),
                    new Shape(1, a.channels(), a.imageHeight() + 2 * p, a.imageWidth() + p))) {
                NDArray x = TestModels.images(m, 11, s);
                NDArray eager = model.attentionMaps(x);
                NDArray fast = compiled.attentionMaps(x);
                long t = a.prefixTokens() + (s.get(2) / p) * (s.get(3) / p);
                Shape want = new Shape(a.depth(), s.get(0), a.heads(), t, t);
                assertEquals(want, eager.getShape(), c + " eager shape " + s);
                assertEquals(want, fast.getShape(), c + " compiled shape " + s);
                double diff = TestModels.maxAbsDiff(eager.toFloatArray(), fast.toFloatArray());
                assertTrue(diff <= TOLERANCE, c + " " + s + ": max |eager - compiled| = " + diff);
                for (NDArray maps : List.of(eager, fast)) {
                    float[] sums = maps.sum(new int[] {-1}).toFloatArray();
                    for (float v : sums) {
                        assertEquals(1.0, v, TOLERANCE, c + " " + s + ": a row sums to " + v);
                    }
                }
                // not uniform: the maps depend on the tokens (a program returning 1/T everywhere fails here)
                float[] f = fast.toFloatArray();
                double spread = TestModels.maxAbsDiff(f, new float[f.length]) - 1.0 / t;
                assertTrue(spread > 1e-3, c + ": maps are uniform");
            }
        }
    }

    @Test
    void aBf16ProgramRefusesMaps() throws IOException {
        try (VitModel model = TestModels.create(ConfigCases.base().build(), 3);
                CompiledVit compiled = CompiledVit.compile(model.getBlock(),
                        new Precision.Choice(Precision.BF16, "test"),
                        new LinearKernel.Choice(LinearKernel.ATEN, "test"), model.getModel().getNDManager());
                NDManager m = model.newManager()) {
            NDArray x = TestModels.images(m, 1, new Shape(1, 3, 32, 32));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> compiled.attentionMaps(x));
            assertEquals("attention maps are computed by an fp32 program; this one runs bf16", e.getMessage());
        }
    }
}
