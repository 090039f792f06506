/**
 * vit4j: a Vision Transformer toolkit on Deep Java Library.
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
 * <h2>Words</h2>
 *
 * <p>One word per idea, in the library, the command line, Spark's columns and the docs, following
 * timm's {@code vision_transformer.py} where it has a name:
 *
 * <dl>
 *   <dt>patch embeddings
 *   <dd>the patch projection's output alone, {@code (B, N, D)}: timm's {@code patch_embed};
 *       {@code model.PatchEmbedding}.
 *   <dt>embed, embedded tokens
 *   <dd>the stage before the encoder and its output, the tokens the encoder reads, {@code (B, T,
 *       D)}: patch embeddings with the class and register tokens prepended and the absolute
 *       position embedding added (timm's {@code patch_embed} then {@code _pos_embed}); {@code
 *       VisionTransformer.embed}, {@code infer.TokenKind.EMBEDDED}, {@code --tokens embedded},
 *       Spark's {@code embeddedCol}. (Formerly {@code patch-embeddings}; refused with a pointer.)
 *   <dt>encoded tokens
 *   <dd>the tokens after the encoder blocks and the final norm, {@code (B, T, D)}: timm's {@code
 *       forward_features}; {@code VisionTransformer.forwardEncoded}, {@code VitModel.encoded},
 *       {@code TokenKind.ENCODED}, {@code --tokens encoded}, Spark's {@code encodedCol}. Never
 *       "features".
 *   <dt>pooled vector
 *   <dd>the vector the head reads, {@code (B, D)}: timm's {@code forward_head(pre_logits=True)};
 *       {@code --tokens pooled}, Spark's {@code pooledCol}.
 *   <dt>embedding
 *   <dd>what {@code vit4j embed}, {@code infer.VitEncoder} and Spark's {@code VitEmbedderTransformer}
 *       give for an image: one of the three above, chosen by a {@code TokenKind}.
 *   <dt>engine
 *   <dd>what computes the network: {@code compiled} (the TorchScript program of {@link
 *       org.vit4j.compiled}, {@code compiled.ForwardEngine}) or {@code eager} (the DJL blocks);
 *       {@code --engine} of every command that runs the network, Spark's {@code engine} param,
 *       {@code train.json}'s and the JSON outputs' {@code engine}. One exception: DJL's {@code
 *       Criteria} already reads its argument {@code engine} as its own engine's name (a model
 *       directory's {@code serving.properties} sets {@code engine=PyTorch}), so there the choice
 *       is the argument {@code forward}. DJL's own engine is always called "the PyTorch engine"
 *       (or libtorch), never just "engine".
 *   <dt>precision
 *   <dd>the number format of the compiled program's matrix products: {@code fp32}, {@code bf16},
 *       {@code int8} (linear layers only, CPU inference only), {@code auto} (never {@code int8});
 *       {@code --precision}, the Criteria argument {@code precision}.
 *   <dt>linear kernel
 *   <dd>which operator computes the compiled program's linear layers ({@code onednn}, {@code
 *       aten}, {@code mkl}, {@code auto}: measured per weight shape); {@code compiled.LinearKernel}, {@code
 *       bench --linear-kernel}, the {@code linear:} line of {@code vit4j info}. Each one's stored
 *       weight and product is a <em>route</em> ({@code onednn-packed}, {@code aten}, {@code mkl-packed}).
 *   <dt>attention kernel
 *   <dd>which computes the compiled program's fp32 attention ({@code flash}, {@code matmul},
 *       {@code auto}); {@code compiled.AttentionKernel}, {@code bench --attention-kernel}, the
 *       {@code attention:} line of {@code vit4j info}.
 *   <dt>provenance
 *   <dd>how a saved model was trained ({@code train.TrainingProvenance}, {@code provenance.json},
 *       {@code vit4j info}'s {@code trained:}); a run's machine record is {@code train.json}'s
 *       {@code provenance}.
 * </dl>
 *
 * <p>DJL is used offline: {@link org.vit4j.Offline#ensure()} sets {@code ai.djl.offline=true} and
 * turns tracking off before any engine is touched.
 */
package org.vit4j;
