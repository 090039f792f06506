/**
 * File input and output shared by the pipeline stages.
 *
 * <p>{@link org.vit4j.io.Npy} reads and writes NumPy {@code .npy} arrays (format 1.0/2.0/3.0), the
 * exchange format for golden test fixtures produced by the reference Python code and for tables
 * (position embeddings, weights) that vit4j exports for inspection in NumPy. Arrays are C order
 * (row-major); reading returns float32, narrowing float64 with {@code (float)}.
 * {@link org.vit4j.io.AtomicFiles} writes files so that a crash never leaves a partial file.
 */
package org.vit4j.io;
