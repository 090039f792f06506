/**
 * The compiled inference forward: the Vision Transformer as one TorchScript program that vit4j
 * writes itself ({@link org.vit4j.compiled.TorchScriptArchive}, source {@code vit_forward.py}) and
 * runs through DJL's PyTorch engine ({@link org.vit4j.compiled.CompiledVit}), with fused attention
 * and optional bfloat16 ({@link org.vit4j.compiled.Precision}). The eager blocks of {@code
 * org.vit4j.model} stay the reference and the training path.
 */
package org.vit4j.compiled;
