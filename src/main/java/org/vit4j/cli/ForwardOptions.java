package org.vit4j.cli;

import java.io.IOException;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.VitClassifier;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Option;

/** Options of the commands that run the inference forward: engine and precision. */
final class ForwardOptions {

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|auto",
            description = "Number format of the compiled forward: bf16 matrix products and attention (LayerNorm,"
                    + " softmax and outputs fp32), or auto: bf16 where the CPU has amx_bf16 or avx512_bf16 or on"
                    + " a GPU, else fp32 (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--engine", defaultValue = "compiled", paramLabel = "compiled|eager",
            description = "Forward: the compiled TorchScript program (eager where the model does not compile)"
                    + " or the eager DJL blocks (default: ${DEFAULT-VALUE}).")
    String engine;

    /** Compiles (or not) a loaded model's forward; the caller closes it before the model. */
    InferenceForward open(VitModel model) {
        return InferenceForward.of(model, ForwardEngine.fromName(engine), Precision.fromName(precision));
    }

    /** Wraps a loaded model (closed with the classifier). */
    VitClassifier classifier(VitModel model) throws IOException {
        return VitClassifier.builder().setModel(model).optEngine(ForwardEngine.fromName(engine))
                .optPrecision(Precision.fromName(precision)).build();
    }
}
