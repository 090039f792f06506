package org.vit4j.cli;

import java.io.IOException;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.compiled.Precision;
import org.vit4j.image.ImageLoader;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Option;

/** Options of the commands that run the inference forward: engine and precision. */
final class ForwardOptions {

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|bf16|auto", converter = PrecisionName.class,
            description = "Number format of the compiled forward: bf16 matrix products and attention (LayerNorm,"
                    + " softmax and outputs fp32), or auto: bf16 where the CPU has amx_bf16 or avx512_bf16 or on"
                    + " a GPU, else fp32 (default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--engine", defaultValue = "compiled", paramLabel = "compiled|eager", converter = EngineName.class,
            description = "Forward: the compiled TorchScript program (eager where the model does not compile)"
                    + " or the eager DJL blocks (default: ${DEFAULT-VALUE}).")
    ForwardEngine engine;

    /** {@code fp32}, {@code bf16} or {@code auto}. */
    static final class PrecisionName extends Converters.Names<Precision> {
        PrecisionName() {
            super(Precision.class);
        }
    }

    /** {@code compiled} or {@code eager}. */
    static final class EngineName extends Converters.Names<ForwardEngine> {
        EngineName() {
            super(ForwardEngine.class);
        }
    }

    /** Compiles (or not) a loaded model's forward; the caller closes it before the model. */
    InferenceForward open(VitModel model) {
        return InferenceForward.of(model, engine, precision);
    }

    /** As {@link #open(VitModel)} with a requested linear kernel ({@code bench --linear}). */
    InferenceForward open(VitModel model, LinearKernel linear) {
        return InferenceForward.of(model, engine, precision, linear);
    }

    /** Builds the inference model of a loaded model, with the default loader (the model is closed with it). */
    InferenceModel load(VitModel model) throws IOException {
        return load(model, null);
    }

    /** Builds the inference model of a loaded model, with a loader of its own or the default for null. */
    InferenceModel load(VitModel model, ImageLoader loader) throws IOException {
        return InferenceModel.builder().setModel(model).optEngine(engine).optPrecision(precision)
                .optLoader(loader).build();
    }
}
