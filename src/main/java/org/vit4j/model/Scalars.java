package org.vit4j.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Scalars for arithmetic inside the autograd graph.
 *
 * <p>DJL 0.36's {@code NDArray.mul(Number)} (and {@code add}, {@code div}, ... with a number)
 * wraps the number in a tensor that borrows the memory of a Java direct buffer
 * ({@code torch::from_blob}) and closes that tensor right after the operation. In training, autograd
 * keeps the scalar for the backward pass; once the JVM's garbage collector has freed the buffer,
 * the backward pass reads freed memory, so gradients depend on when a GC happened and can become
 * NaN. A scalar made here is allocated by libtorch ({@code torch::full}) and owned by the tensor,
 * so autograd's reference keeps it alive. Use it for every number that meets an array which
 * requires a gradient.
 */
public final class Scalars {

    private Scalars() {}

    /**
     * A 0-dimensional array holding {@code value}, of the type and device of {@code like}, owned
     * by {@code like}'s manager.
     *
     * @param like an array whose manager, data type and device the scalar takes
     * @param value the value
     * @return shape {@code ()}
     */
    public static NDArray of(NDArray like, double value) {
        return like.getManager().full(new Shape(), (float) value, like.getDataType(), like.getDevice());
    }
}
