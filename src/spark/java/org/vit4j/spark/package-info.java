/**
 * vit4j on Apache Spark: Spark ML stages that classify images and compute their embeddings in
 * {@code mapPartitions}, with the model loaded once per executor JVM.
 *
 * <p>The path of a row: an input column (the {@code content} bytes of Spark's {@code binaryFile}
 * source, or a column of file paths or URIs) is decoded by vit4j's own
 * {@link org.vit4j.image.ImageLoader} (same formats, pixel limit and error texts as
 * {@code vit4j predict}), preprocessed by the model's {@link org.vit4j.image.ImagePreprocessor},
 * batched {@code (B, C, H, W)} and run through the executor's one {@link org.vit4j.infer.InferenceModel}:
 * its {@link org.vit4j.infer.VitClassifier} view, or its {@link org.vit4j.infer.VitEncoder} view for
 * the pooled vector, encoded tokens and embedded tokens. A file that cannot be read becomes a row
 * with a non-null error column; the rest of its partition goes on.
 *
 * <ul>
 *   <li>{@link org.vit4j.spark.ModelSource}: where the model comes from (local directory, Hadoop
 *       file-system URI, or the bundled model) and on which device it runs.
 *   <li>{@link org.vit4j.spark.ExecutorModels}: the per-JVM cache, shared by task threads, closed by
 *       a shutdown hook.
 *   <li>{@link org.vit4j.spark.VitClassifierTransformer}, {@link org.vit4j.spark.VitEmbedderTransformer}:
 *       the ML stages.
 *   <li>{@link org.vit4j.spark.cli.SparkJob}: the runnable job ({@code ./vit4j spark predict},
 *       {@code spark-submit}).
 * </ul>
 *
 * Spark is a {@code provided} dependency: this package is built only by the Maven profile
 * {@code spark} and never enters the core jar.
 */
package org.vit4j.spark;
