package org.vit4j.infer;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.vit4j.compiled.CompiledBlock;
import org.vit4j.compiled.CompiledVit;
import org.vit4j.compiled.CpuFeatures;
import org.vit4j.compiled.ForwardEngine;
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
 * <p>The block runs the compiled forward ({@link CompiledBlock}) where the config compiles, else the
 * eager network. Criteria arguments choose: {@code optArgument("forward", "compiled|eager")} (the
 * command line's {@code --engine}; DJL's Criteria reads the argument {@code engine} as its own
 * engine's name) and {@code optArgument("precision", "fp32|bf16|auto")} (defaults {@code
 * compiled}, {@code fp32}).
 */
public final class VitBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** {@inheritDoc} */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        try {
            VisionTransformer network = VitModel.loadBlock(ModelFiles.of(modelPath), model.getNDManager());
            ForwardEngine engine = ForwardEngine.fromName(argument(arguments, "forward", "compiled"));
            Precision precision = Precision.fromName(argument(arguments, "precision", "fp32"));
            if (engine == ForwardEngine.EAGER || !CompiledVit.supports(network.getConfig())) {
                if (precision == Precision.BF16) {
                    throw new IllegalArgumentException("precision bf16 needs the compiled forward, but the eager network runs");
                }
                return network;
            }
            Precision.Choice p = precision.resolve(model.getNDManager().getDevice(), CpuFeatures.current());
            return new CompiledBlock(network, p, model.getNDManager());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String argument(Map<String, ?> arguments, String key, String fallback) {
        Object v = arguments == null ? null : arguments.get(key);
        return v == null ? fallback : v.toString();
    }
}
