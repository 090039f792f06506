package org.vit4j.cli;

import java.io.IOException;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Option;

/**
 * {@code --engine} and {@code --precision}, shared by the commands that run the network: those that
 * run the inference forward and {@code train}, whose forward and backward they choose alike. Unset,
 * they read as {@code compiled} and {@code fp32}; {@code train --resume} takes the run's instead
 * ({@link #engineGiven()}, {@link #precisionGiven()}).
 */
final class ForwardOptions {

    @Option(names = "--precision", paramLabel = "fp32|bf16|auto", converter = PrecisionName.class,
            description = "Number format of the compiled program: bf16 matrix products and attention (LayerNorm,"
                    + " softmax and outputs fp32; training keeps fp32 weights and AdamW state), or auto: bf16 where"
                    + " the CPU has amx_bf16 or avx512_bf16 or on a GPU, else fp32 (default: fp32;"
                    + " train --resume: the run's).")
    Precision precision;

    @Option(names = "--engine", paramLabel = "compiled|eager", converter = EngineName.class,
            description = "What runs the network (and, training, its backward): the compiled TorchScript program"
                    + " (eager where the model does not compile) or the eager DJL blocks (default: compiled;"
                    + " train --resume: the run's).")
    ForwardEngine engine;

    /** @return the engine asked for, or {@code compiled} */
    ForwardEngine engine() {
        return engine == null ? ForwardEngine.COMPILED : engine;
    }

    /** @return the precision asked for, or {@code fp32} */
    Precision precision() {
        return precision == null ? Precision.FP32 : precision;
    }

    /** @return the engine as given on the command line, or null */
    ForwardEngine engineGiven() {
        return engine;
    }

    /** @return the precision as given on the command line, or null */
    Precision precisionGiven() {
        return precision;
    }

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
        return InferenceForward.of(model, engine(), precision());
    }

    /** As {@link #open(VitModel)} with a requested linear kernel ({@code bench --linear-kernel}). */
    InferenceForward open(VitModel model, LinearKernel linear) {
        return InferenceForward.of(model, engine(), precision(), linear);
    }

    /** Builds the inference model of a loaded model, with the default loader (the model is closed with it). */
    InferenceModel load(VitModel model) throws IOException {
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision()).build();
    }

    /** Builds the inference model of a loaded model, whose loader refuses images above a pixel limit. */
    InferenceModel load(VitModel model, long maxPixels) throws IOException {
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision())
                .optMaxPixels(maxPixels).build();
    }
}
