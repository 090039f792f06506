package org.vit4j.compiled;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.vit4j.model.Architecture;
import org.vit4j.model.ConfigCases;
import org.vit4j.model.ConfigCases.Case;
import org.vit4j.model.TestModels;
import org.vit4j.model.VitModel;

/**
 * Every route a layer can get computes the eager blocks' numbers: for each case of {@link
 * ConfigCases}, the compiled forward with every linear layer forced to {@code onednn}, {@code aten}
 * and {@code mkl}, and attention forced to {@code flash} and {@code matmul}, agrees with the eager
 * blocks to 1e-5 in fp32 (logits, pooled embedding, tokens after the encoder), at the batch the
 * kernels are compiled for (2: MKL's packed product) and at another batch and grid (3: its
 * {@code aten::linear} fallback).
 */
class KernelRouteParityTest {

    private static final double TOLERANCE = 1e-5;

    private static final Precision.Choice FP32 = new Precision.Choice(Precision.FP32, "test");

    static List<Case> cases() {
        return ConfigCases.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyForcedRouteAgreesWithTheEagerBlocks(Case c) throws IOException {
        Architecture a = c.config().architecture();
        int h = a.imageHeight();
        int w = a.imageWidth();
        int p = a.patchSize();
        LinearKernel[] linear = {LinearKernel.ONEDNN, LinearKernel.ATEN, LinearKernel.MKL};
        AttentionKernel[] attention = {AttentionKernel.MATMUL, AttentionKernel.FLASH, AttentionKernel.MATMUL};
        try (VitModel model = TestModels.create(c.config(), 7); NDManager m = model.newManager()) {
            List<Shape> shapes = List.of(new Shape(2, a.channels(), h, w), new Shape(3, a.channels(), h + 2 * p, w + p));
            for (int i = 0; i < linear.length; i++) {
                KernelOptions options = KernelOptions.builder().optLinear(new LinearKernel.Choice(linear[i], "test"))
                        .optAttention(attention[i]).optBatch(2).build();
                String what = c + ", " + linear[i].cliName() + ", " + attention[i].cliName();
                try (CompiledVit compiled = CompiledVit.compile(model.getBlock(), FP32, options,
                        model.getModel().getNDManager())) {
                    assertEquals(attention[i].cliName(), compiled.routes().attention(), what);
                    assertTrue(compiled.routes().measurements().isEmpty(), what + ": forced kernels are not measured");
                    if (linear[i] != LinearKernel.ONEDNN) { // oneDNN may keep a shape plain (the load-time check)
                        String route = linear[i] == LinearKernel.ATEN ? "aten" : "mkl-packed";
                        assertEquals(Set.of(route), Set.copyOf(compiled.routes().linear().values()), what);
                    }
                    for (Shape s : shapes) {
                        NDArray x = TestModels.images(m, 11, s);
                        NDList eager = model.forward(x);
                        NDList fast = compiled.forward(x);
                        assertClose(eager.get(0), fast.get(0), what + " logits " + s);
                        assertClose(eager.get(1), fast.get(1), what + " pooled " + s);
                        assertClose(model.encoded(x), compiled.encoded(x), what + " tokens after the encoder " + s);
                    }
                }
            }
        }
    }

    private static void assertClose(NDArray want, NDArray got, String what) {
        assertEquals(want.getShape(), got.getShape(), what);
        double diff = TestModels.maxAbsDiff(want.toFloatArray(), got.toFloatArray());
        assertTrue(diff <= TOLERANCE, what + ": max |eager - compiled| = " + diff);
    }
}
