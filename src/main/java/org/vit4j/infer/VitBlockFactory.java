package org.vit4j.infer;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import org.vit4j.model.ModelFiles;
import org.vit4j.model.VitModel;

/**
 * Lets DJL's {@code Criteria} load a vit4j model directory: named by the directory's {@code
 * serving.properties} ({@code blockFactory=org.vit4j.infer.VitBlockFactory}, {@code
 * option.hasParameter=false}). It reads {@code config.json}, verifies the checksums and loads
 * {@code model.safetensors}; no code from the directory is run.
 */
public final class VitBlockFactory implements BlockFactory {

    private static final long serialVersionUID = 1L;

    /** {@inheritDoc} */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) {
        try {
            return VitModel.loadBlock(ModelFiles.of(modelPath), model.getNDManager());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
