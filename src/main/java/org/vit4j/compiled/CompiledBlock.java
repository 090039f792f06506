package org.vit4j.compiled;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.vit4j.model.VisionTransformer;

/**
 * A DJL {@link ai.djl.nn.Block} for {@code Criteria}/{@code Predictor} use: inference runs the
 * {@link CompiledVit} program, training (and anything else) the wrapped eager network, whose
 * parameters are this block's only child.
 *
 * <ul>
 *   <li>Input: images {@code (B, C, H, W)}, normalized.
 *   <li>Output: {@code NDList(logits (B, K), pooled (B, D))}, as {@link VisionTransformer}.
 * </ul>
 */
public final class CompiledBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final VisionTransformer network;
    private final CompiledVit compiled;

    /**
     * Compiles an initialized network (see {@link CompiledVit#compile}).
     *
     * @param network the network with its weights
     * @param precision {@code FP32} or {@code BF16}
     * @param manager owns the program (the DJL model's manager: it is freed with the model)
     */
    public CompiledBlock(VisionTransformer network, Precision.Choice precision, NDManager manager) {
        super(VERSION);
        this.network = addChildBlock("network", network);
        this.compiled = CompiledVit.compile(network, precision, manager);
    }

    /**
     * Compiles an initialized network with a chosen linear kernel (see {@link CompiledVit#compile(
     * VisionTransformer, Precision.Choice, LinearKernel.Choice, NDManager)}).
     *
     * @param network the network with its weights
     * @param precision {@code FP32} or {@code BF16}
     * @param kernel {@code ONEDNN} or {@code ATEN}, already resolved
     * @param manager owns the program (the DJL model's manager: it is freed with the model)
     */
    public CompiledBlock(VisionTransformer network, Precision.Choice precision, LinearKernel.Choice kernel,
            NDManager manager) {
        super(VERSION);
        this.network = addChildBlock("network", network);
        this.compiled = CompiledVit.compile(network, precision, kernel, manager);
    }

    /** @return the compiled program */
    public CompiledVit getCompiled() {
        return compiled;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (training) {
            return network.forward(ps, inputs, true, params);
        }
        return compiled.forward(inputs.singletonOrThrow());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        network.initialize(manager, dataType, inputShapes);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return network.getOutputShapes(inputShapes);
    }
}
