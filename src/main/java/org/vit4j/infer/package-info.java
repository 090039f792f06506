/**
 * Using a trained model from an application. Axis conventions as in {@link org.vit4j}: images
 * {@code (B, C, H, W)}, tokens {@code (B, T, D)}.
 *
 * <ul>
 *   <li>{@link org.vit4j.infer.VitClassifier}: files, pictures or DJL images → top-k labels,
 *       logits {@code (K)} and the pooled embedding {@code (D)}; thread-safe, {@code
 *       AutoCloseable}.
 *   <li>{@link org.vit4j.infer.PatchEncoder}: the same inputs → patch tokens with position
 *       embeddings {@code (T, D)} (before the encoder), with or without the class/register
 *       prefix, as {@code float[][]} or as an NDArray in the caller's manager; thread-safe.
 *   <li>{@link org.vit4j.infer.Embeddings}: a batch → the pooled embedding {@code (B, D)}, the
 *       patch tokens after the encoder {@code (B, N, D)} or all tokens (timm's {@code
 *       forward_features}) {@code (B, T, D)}; what {@code vit4j embed} writes.
 *   <li>{@link org.vit4j.infer.BundledModel}: the Fashion-MNIST model inside the jar.
 *   <li>{@link org.vit4j.infer.VitBlockFactory}, {@link org.vit4j.infer.VitTranslator}, {@link
 *       org.vit4j.infer.VitTranslatorFactory}: load a vit4j model directory with DJL's {@code
 *       Criteria} like any DJL model:
 *       <pre>{@code
 * Criteria<Image, Classifications> c = Criteria.builder()
 *         .setTypes(Image.class, Classifications.class)
 *         .optModelPath(dir)
 *         .optTranslatorFactory(new DeferredTranslatorFactory()) // use serving.properties' factory
 *         .build();
 * }</pre>
 *       DJL 0.36 chooses the translator factory before reading {@code serving.properties}, so the
 *       Criteria must name one ({@code DeferredTranslatorFactory}, {@code new
 *       VitTranslatorFactory()} or {@code optTranslator(new VitTranslator(config, labels))});
 *       without it DJL falls back to its own image classifier translator, which asks for a {@code
 *       synset.txt}. A directory without {@code serving.properties} also needs {@code
 *       optOption("hasParameter", "false")} and {@code optArgument("blockFactory", new
 *       VitBlockFactory())}.
 * </ul>
 */
package org.vit4j.infer;
