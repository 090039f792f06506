/**
 * vit4j: a Vision Transformer patch-embedding pipeline on Deep Java Library.
 *
 * <p>The packages follow the data's path from a file to logits:
 *
 * <ol>
 *   <li>{@link org.vit4j.image} decodes a file, sizes it by policy and normalizes it;
 *   <li>{@link org.vit4j.patch} cuts the image into a grid of patches and can scramble their order;
 *   <li>{@link org.vit4j.position} computes position embeddings: added tables (sinusoidal 1D/2D,
 *       learned) and 2D rotary rotations of queries and keys (axial, mixed, DINOv3);
 *   <li>{@link org.vit4j.model} holds the blocks: patch embedding, position embedding, pre-norm
 *       encoder blocks, pooling, head, and the {@code VisionTransformer} that composes them;
 *   <li>{@link org.vit4j.compiled} runs that network's inference forward as one TorchScript
 *       program (fused attention, optional bfloat16), falling back to the blocks where it does not apply;
 *   <li>{@link org.vit4j.train} trains and evaluates; {@link org.vit4j.infer} wraps a model
 *       directory for applications; {@link org.vit4j.interop} imports timm / Hugging Face /
 *       torchvision checkpoints; {@link org.vit4j.cli} is the command line, and only it imports
 *       picocli.
 * </ol>
 *
 * <p>Beside the library, not imported by it: {@link org.vit4j.bench}, the benchmark harness of
 * {@code vit4j bench}; and, in the Maven profile {@code spark} only, {@code org.vit4j.spark}, Spark
 * ML stages and the Spark job.
 *
 * <h2>Axis conventions</h2>
 *
 * <ul>
 *   <li>Images are {@code (B, C, H, W)} (NCHW), float32, already normalized.
 *   <li>A patch grid of {@code R} rows and {@code Q} columns of {@code P×P} patches has {@code N =
 *       R·Q} patches, numbered in row-major order: patch {@code n} is at row {@code n / Q}, column
 *       {@code n % Q}.
 *   <li>A flattened patch is a vector of length {@code C·P·P} in {@code (c, y, x)} order, the same
 *       order as a {@code Conv2d} weight {@code (D, C, P, P)} flattened, so a convolutional patch
 *       projection and the linear one share their numbers.
 *   <li>Tokens are {@code (B, T, D)}: {@code T = prefix + N} where the prefix is the class token
 *       (if any) followed by register tokens (if any).
 * </ul>
 *
 * <p>DJL is used offline: {@link org.vit4j.Offline#ensure()} sets {@code ai.djl.offline=true} and
 * turns tracking off before any engine is touched.
 */
package org.vit4j;
