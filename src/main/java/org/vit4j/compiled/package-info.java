/**
 * The compiled inference forward: the Vision Transformer as one TorchScript program that vit4j
 * writes itself ({@link org.vit4j.compiled.TorchScriptArchive}, source {@code vit_forward.py}) and
 * runs through DJL's PyTorch engine ({@link org.vit4j.compiled.CompiledVit}), with fused attention
 * and optional bfloat16 ({@link org.vit4j.compiled.Precision}). It runs every model the eager blocks
 * run: absolute and rotary position embeddings come in as per-grid tables computed by the eager
 * position code, and LayerScale, a q/v-only qkv bias and interleaved rotary pairs are carried into
 * the weights at load. The eager blocks of {@code org.vit4j.model} stay the reference, the training
 * path and the fallback for a config option the program does not implement ({@link
 * org.vit4j.compiled.InferenceForward}).
 */
package org.vit4j.compiled;
