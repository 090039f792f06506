/**
 * Using a trained model from an application.
 *
 * <ul>
 *   <li>{@link org.vit4j.infer.VitClassifier}: files or pictures → top-k labels, logits and the
 *       pooled embedding; thread-safe, {@code AutoCloseable}.
 *   <li>{@link org.vit4j.infer.BundledModel}: the Fashion-MNIST model inside the jar.
 *   <li>{@link org.vit4j.infer.VitBlockFactory}, {@link org.vit4j.infer.VitTranslator}, {@link
 *       org.vit4j.infer.VitTranslatorFactory}: load a vit4j model directory with DJL's {@code
 *       Criteria} like any DJL model.
 * </ul>
 */
package org.vit4j.infer;
