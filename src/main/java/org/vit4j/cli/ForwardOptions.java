package org.vit4j.cli;

import java.io.IOException;
import org.vit4j.compiled.BatchParts;
import org.vit4j.compiled.CompiledVit;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.LinearKernel;
import org.vit4j.compiled.Precision;
import org.vit4j.infer.InferenceModel;
import org.vit4j.model.VitModel;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code --engine} and {@code --precision}, shared by the commands that run the network: those that
 * run the inference forward and {@code train}, whose forward and backward they choose alike. Unset,
 * they read as {@code compiled} and {@code fp32}; {@code train --resume} takes the run's instead
 * ({@link #engineGiven()}, {@link #precisionGiven()}).
 */
final class ForwardOptions {

    @Spec(Spec.Target.MIXEE) CommandSpec mixee;

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

    /**
     * Refuses options that contradict each other before any model is loaded ({@link Common#device}
     * calls it): bf16 needs the compiled forward.
     *
     * @param spec the command
     */
    void check(CommandSpec spec) {
        check(spec, engine, precision);
    }

    /**
     * Refuses bf16 with {@code --engine eager}, for every command that has both options.
     *
     * @param spec the command
     * @param engine the {@code --engine} given, or null
     * @param precision the {@code --precision} given, or null
     */
    static void check(CommandSpec spec, ForwardEngine engine, Precision precision) {
        if (engine == ForwardEngine.EAGER && precision == Precision.BF16) {
            throw Usage.error(spec, "--precision bf16: needs the compiled forward; --engine eager runs the eager blocks");
        }
    }

    /**
     * Refuses bf16 for a model the compiled forward does not run (known once its config is), in the
     * form of {@link #check}.
     */
    private void checkModel(VitModel model) {
        String unsupported = CompiledVit.unsupported(model.getConfig());
        if (precision == Precision.BF16 && engine() == ForwardEngine.COMPILED && unsupported != null) {
            throw Usage.error(mixee, "--precision bf16: needs the compiled forward; this model runs on the eager blocks ("
                    + unsupported + ")");
        }
    }

    /** {@link #checkModel}, closing the model when it is refused (no inference model will own it). */
    private void checked(VitModel model) {
        try {
            checkModel(model);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Compiles (or not) a loaded model's forward; the caller closes it before the model. */
    InferenceForward open(VitModel model) {
        checkModel(model);
        return InferenceForward.of(model, engine(), precision());
    }

    /** As {@link #open(VitModel)} with a requested linear kernel ({@code bench --linear-kernel}). */
    InferenceForward open(VitModel model, LinearKernel linear) {
        checkModel(model);
        return InferenceForward.of(model, engine(), precision(), linear);
    }

    /** As {@link #open(VitModel)} computing each batch in parts ({@code --batch-parts}). */
    InferenceForward open(VitModel model, BatchParts parts) {
        return open(model, LinearKernel.AUTO, parts);
    }

    /** As {@link #open(VitModel, LinearKernel)} computing each batch in parts ({@code --batch-parts}). */
    InferenceForward open(VitModel model, LinearKernel linear, BatchParts parts) {
        checkModel(model);
        return InferenceForward.of(model, engine(), precision(), linear, parts);
    }

    /** Builds the inference model of a loaded model, with the default loader (the model is closed with it). */
    InferenceModel load(VitModel model) throws IOException {
        checked(model);
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision()).build();
    }

    /** As {@link #load(VitModel)} computing each batch in parts ({@code --batch-parts}). */
    InferenceModel load(VitModel model, BatchParts parts) throws IOException {
        checked(model);
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision())
                .optBatchParts(parts).build();
    }

    /** As {@link #load(VitModel, long)} computing each batch in parts ({@code --batch-parts}). */
    InferenceModel load(VitModel model, long maxPixels, BatchParts parts) throws IOException {
        checked(model);
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision())
                .optMaxPixels(maxPixels).optBatchParts(parts).build();
    }

    /** Builds the inference model of a loaded model, whose loader refuses images above a pixel limit. */
    InferenceModel load(VitModel model, long maxPixels) throws IOException {
        checked(model);
        return InferenceModel.builder().setModel(model).optEngine(engine()).optPrecision(precision())
                .optMaxPixels(maxPixels).build();
    }
}
