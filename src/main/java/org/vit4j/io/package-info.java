/**
 * File input and output shared by the pipeline stages.
 *
 * <p>{@link org.vit4j.io.Npy} reads and writes NumPy {@code .npy} arrays (format 1.0/2.0/3.0), the
 * exchange format for golden test fixtures produced by the reference Python code and for tables
 * (position embeddings, weights) that vit4j exports for inspection in NumPy. Arrays are C order
 * (row-major); reading returns float32, narrowing float64 with {@code (float)}.
 * {@link org.vit4j.io.AtomicFiles} writes files so that a crash never leaves a partial file, and
 * never creates a missing directory.
 *
 * <h2>The output rules</h2>
 *
 * Every file the command line writes is checked by {@link org.vit4j.io.OutputFile} before any work
 * ({@code predict}, {@code embed}, {@code patches} and {@code posemb} outputs, {@code bench
 * --profile}'s trace, which libtorch writes to a temporary file that is then copied to the checked
 * output), and every directory by {@link org.vit4j.io.OutputDirectory} ({@code import},
 * {@code average}, {@code train --out}, {@code spark predict --output}). What is written without
 * those checks, and why:
 *
 * <ul>
 *   <li>the files inside a model directory ({@code VitModel.save}, which creates the directory):
 *       the directory was checked as a whole, or the caller is a program that chose it;
 *   <li>a training run's files and checkpoints: its directory was checked when
 *       the run started, and {@code --resume} writes into it on purpose;
 *   <li>temporary files and directories ({@code bench --train}'s run, the profiler's trace before
 *       it is copied): created by the JVM under its temporary directory, deleted when done;
 *   <li>{@link org.vit4j.io.Npy#write} and the benchmark harness's {@code profile} methods: library
 *       calls that write where their caller says (atomically, for {@code Npy}).
 * </ul>
 */
package org.vit4j.io;
