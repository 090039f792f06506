/**
 * The runnable Spark job: {@code ./vit4j spark predict ...} locally, or the same main class,
 * {@link org.vit4j.spark.cli.SparkJob}, under {@code spark-submit}. Parses, builds the pipeline
 * from the library's stages, writes the output, prints one summary line.
 */
package org.vit4j.spark.cli;
