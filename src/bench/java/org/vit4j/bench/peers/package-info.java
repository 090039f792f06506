/**
 * vit4j side by side with its peers, built only in the Maven profile {@code bench}
 * ({@code mvn -Pbench -DskipTests package}, then {@code java -jar target/benchmarks.jar}; see
 * {@code BENCHMARKS.md} at the repository root). It uses {@link org.vit4j.bench}, the harness of
 * {@code vit4j bench} in the main jar, and is never part of that jar.
 *
 * <ul>
 *   <li>{@code ForwardBench}: ViT-Ti/16 forward, vit4j against ONNX Runtime and DJL running the
 *       TorchScript trace of the same torchvision weights (JMH).
 *   <li>{@code FastPathBench}: the compiled forward in fp32 and bf16 against the eager blocks,
 *       ONNX Runtime and the TorchScript trace, in alternating rounds.
 *   <li>{@code PreprocessBench}: JPEG file to {@code (1, 196, 768)} tokens (JMH), against Pillow +
 *       torchvision transforms run as a subprocess ({@code PythonPeer}).
 *   <li>{@code Scaling}: forward time over image size and batch size (median of passes).
 *   <li>{@code ThreadProbe}: the same PyTorch work timed on the JVM main thread and on a fresh thread.
 * </ul>
 * {@code BenchMain} runs them all and writes the Markdown tables.
 */
package org.vit4j.bench.peers;
