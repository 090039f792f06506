/**
 * Benchmarks of issue 8, side by side with their peers, built only in the Maven profile {@code bench}
 * ({@code mvn -Pbench -DskipTests package}, then {@code java -jar target/benchmarks.jar}); see
 * {@code BENCHMARKS.md} at the repository root.
 *
 * <ul>
 *   <li>{@link org.vit4j.bench.ForwardBench}: ViT-Ti/16 forward, vit4j against ONNX Runtime and DJL
 *       running the TorchScript trace of the same torchvision weights (JMH).
 *   <li>{@link org.vit4j.bench.PreprocessBench}: JPEG file to {@code (1, 196, 768)} tokens (JMH),
 *       against Pillow + torchvision transforms run as a subprocess ({@link org.vit4j.bench.PythonPeer}).
 *   <li>{@link org.vit4j.bench.Scaling}: forward time over image size and batch size (median of passes).
 *   <li>{@link org.vit4j.bench.ThreadProbe}: the same PyTorch work timed on the JVM main thread and on
 *       a fresh thread.
 * </ul>
 * {@link org.vit4j.bench.BenchMain} runs them all and writes the Markdown tables.
 */
package org.vit4j.bench;
