/**
 * The benchmark harness of {@code vit4j bench}, apart from the library: nothing in the library
 * imports it. {@link org.vit4j.bench.ForwardBenchmark} measures forward throughput over batch sizes
 * and the matrix-product peak of the engine, {@link org.vit4j.bench.TrainBenchmark} training
 * throughput, and {@link org.vit4j.bench.SoakBenchmark} resident memory over many predictions, read
 * from {@code /proc}.
 *
 * <p>The comparisons with other engines and libraries (ONNX Runtime, TorchScript, Pillow, JMH) are
 * in the package {@code org.vit4j.bench.peers} under {@code src/bench/java}, built only by the Maven
 * profile {@code bench} ({@code mvn -Pbench -DskipTests package}, then
 * {@code java -jar target/benchmarks.jar}); it uses this package and is never in the main jar. See
 * {@code BENCHMARKS.md} at the repository root.
 */
package org.vit4j.bench;
