/**
 * Using a trained model from an application. Axis conventions as in {@link org.vit4j}: images
 * {@code (B, C, H, W)}, tokens {@code (B, T, D)}.
 *
 * <ul>
 *   <li>{@link org.vit4j.infer.InferenceModel}: one loaded model — weights, its inference forward
 *       (compiled or eager, fp32 or bf16), loader and preprocessing — loaded, compiled and closed
 *       once; {@code AutoCloseable}, thread-safe. Its three views own nothing:
 *   <li>{@link org.vit4j.infer.VitClassifier} ({@link org.vit4j.infer.InferenceModel#classifier()}):
 *       files, pictures or DJL images → top-k labels, logits {@code (K)} and the pooled vector
 *       {@code (D)};
 *   <li>{@link org.vit4j.infer.VitEncoder} ({@link org.vit4j.infer.InferenceModel#encoder()}): the
 *       same inputs → one of the three {@link org.vit4j.infer.TokenKind}s: embedded tokens (the
 *       tokens the encoder reads), encoded tokens (after the encoder and its final norm, timm's {@code
 *       forward_features}) or the pooled vector (timm's {@code forward_head(pre_logits=True)});
 *   <li>{@link org.vit4j.infer.VitAttention} ({@link org.vit4j.infer.InferenceModel#attention()}):
 *       the same inputs → {@link org.vit4j.infer.AttentionMaps}, every block's and head's attention
 *       probabilities {@code (L, H, T, T)}, with the rollout and the picture ({@link
 *       org.vit4j.infer.AttentionPicture}) that {@code vit4j attention} draws.
 *   <li>{@link org.vit4j.infer.Outcome}: an input's result or the reason it has none, so that a run
 *       goes on past a bad input and keeps input order; list methods of the views accept images of
 *       mixed sizes and group them by size in one place.
 *   <li>{@link org.vit4j.infer.BatchingModel}: many threads, one model: concurrent single-image
 *       calls gathered into shared forward passes (dynamic batching), a bounded queue ({@link
 *       org.vit4j.infer.QueueFullException}), each caller its own result or error; {@link
 *       org.vit4j.infer.ResultJson}: the JSON of results that {@code predict} and {@code serve}
 *       print.
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
