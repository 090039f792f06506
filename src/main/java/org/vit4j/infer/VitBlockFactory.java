package org.vit4j.infer;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.vit4j.compiled.ForwardEngine;
import org.vit4j.compiled.InferenceForward;
import org.vit4j.compiled.Precision;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.VisionTransformer;
import org.vit4j.model.VitModel;

/**
 * Lets DJL's {@code Criteria} load a vit4j model directory: named by the directory's {@code
 * serving.properties} ({@code blockFactory=org.vit4j.infer.VitBlockFactory}, {@code
 * option.hasParameter=false}). It reads {@code config.json}, verifies the checksums and loads
 * {@code model.safetensors}; no code from the directory is run.
 *
 * <p>The block is {@link InferenceForward#block}'s, chosen as every vit4j forward is: the compiled
 * forward ({@link org.vit4j.compiled.CompiledBlock}) where the config compiles, else the eager
 * network. Criteria arguments choose: {@code optArgument("forward", "compiled|eager")} (the
 * command line's {@code --engine}; DJL's Criteria reads the argument {@code engine} as its own
 * engine's name) and {@code optArgument("precision", "fp32|bf16|int8|auto")} (defaults {@code
 * compiled}, {@code fp32}).
 */
public final class VitBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** {@inheritDoc} */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        try {
            VisionTransformer network = VitModel.loadBlock(ModelFiles.of(modelPath), model.getNDManager());
            return InferenceForward.block(network, model.getNDManager(),
                    ForwardEngine.fromName(argument(arguments, "forward", "compiled")),
                    Precision.fromName(argument(arguments, "precision", "fp32")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String argument(Map<String, ?> arguments, String key, String fallback) {
        Object v = arguments == null ? null : arguments.get(key);
        return v == null ? fallback : v.toString();
    }
}
