package org.vit4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.vit4j.compiled.TorchScriptArchive;
import org.vit4j.model.TestModels;

/**
 * The route {@link CompiledTrainStep} builds on, checked on a minimal program {@code loss(x, ws) =
 * sum(linear(x, ws[0], ws[1])²)}: DJL's {@code IValueUtils.runMethod} runs a method without
 * recording autograd, {@code IValueUtils.forward(block, arrays, true)} records it, and the
 * gradient of a parameter passed as a view (named {@code ws[]}) reaches the parameter itself,
 * equal to the analytic {@code 2 (x W^T + b)^T x}.
 */
class TrainAutogradTest {

    private static final String SOURCE = "class Probe(Module):\n"
            + "  __parameters__ = []\n"
            + "  __buffers__ = []\n"
            + "  training : bool\n"
            + "  def loss(self: __torch__.Probe,\n"
            + "    x: Tensor,\n"
            + "    ws: List[Tensor]) -> Tensor:\n"
            + "    y = torch.linear(x, ws[0], ws[1])\n"
            + "    return torch.sum(torch.mul(y, y))\n";

    private static PtSymbolBlock load(PtNDManager m) throws IOException {
        byte[] bytes = TorchScriptArchive.builder().setClassName("Probe").setSource(SOURCE)
                .addAttribute("training", false).build().toBytes();
        return JniUtils.loadModule(m, new ByteArrayInputStream(bytes), true, false);
    }

    @Test
    void forwardInTrainingModeRecordsAutogradAndRunMethodDoesNot() throws IOException {
        try (NDManager base = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
                PtNDManager m = (PtNDManager) base.newSubManager()) {
            PtSymbolBlock module = load(m);
            NDArray x = TestModels.images(m, 1, new Shape(5, 3)); // (B, in)
            NDArray w = TestModels.images(m, 2, new Shape(4, 3)); // (out, in)
            NDArray b = TestModels.images(m, 3, new Shape(4));
            w.setRequiresGradient(true);
            b.setRequiresGradient(true);

            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector();
                    IValue xi = IValue.from((PtNDArray) x);
                    IValue ws = IValue.listFrom((PtNDArray) w, (PtNDArray) b);
                    IValue out = IValueUtils.runMethod(module, "loss", xi, ws)) {
                NDArray loss = out.toTensor(m);
                // runMethod runs in inference mode: nothing to differentiate
                Exception e = assertThrows(Exception.class, () -> gc.backward(loss));
                assertTrue(String.valueOf(e.getMessage()).contains("does not require grad"), e.getMessage());
            }

            NDArray want;
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray method = m.zeros(new Shape(1));
                method.setName("module_method:loss");
                x.setName("x");
                NDArray wv = w.reshape(w.getShape()); // views: the gradient flows to w and b
                NDArray bv = b.reshape(b.getShape());
                wv.setName("ws[]");
                bv.setName("ws[]");
                NDList out = IValueUtils.forward(module, new NDList(method, x, wv, bv), true);
                assertEquals(1, out.size());
                assertTrue(JniUtils.getGradientFunctionNames((PtNDArray) out.get(0)).contains("SumBackward"),
                        "forward(..., true) records autograd");
                gc.backward(out.get(0));
                NDArray y = x.matMul(w.transpose()).add(b); // (B, out), recorded too: stop it below
                want = y.transpose().matMul(x).mul(2).duplicate(); // dL/dW = 2 y^T x
                want = m.create(want.toFloatArray(), want.getShape());
            }
            double diff = TestModels.maxAbsDiff(want.toFloatArray(), w.getGradient().toFloatArray());
            assertTrue(diff < 1e-4, "gradient of W differs from 2 y^T x by " + diff);
            float[] gb = b.getGradient().toFloatArray();
            assertTrue(TestModels.maxAbsDiff(new float[4], gb) > 0, "b got no gradient");
            module.close();
        }
    }
}
