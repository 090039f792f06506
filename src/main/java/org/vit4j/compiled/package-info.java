/**
 * The compiled forward: the Vision Transformer as one TorchScript program ({@code vit.py}) that
 * vit4j writes itself ({@link org.vit4j.compiled.TorchScriptArchive}) and loads through DJL's
 * PyTorch engine ({@link org.vit4j.compiled.VitProgram}, which declares the order of its weights and
 * answers whether a config compiles). The same program and block code serve inference ({@link
 * org.vit4j.compiled.CompiledVit}: packed oneDNN weights, fused epilogues, optional bfloat16 or int8
 * linear layers, {@link org.vit4j.compiled.Precision}) and training ({@code org.vit4j.train.CompiledTrainStep}:
 * differentiable operators, dropout, the AdamW step); a route attribute switches between them. It
 * runs every model the eager blocks run: absolute and rotary position embeddings come in as
 * per-grid tables computed by the eager position code, and LayerScale, a q/v-only qkv bias and
 * half-layout rotary pairs are carried into the weights by the program's own {@code prepare}. The
 * eager blocks of {@code org.vit4j.model} stay the DJL {@code Block} API, the reference and the
 * fallback for a config option the program does not implement ({@link
 * org.vit4j.compiled.InferenceForward}).
 */
package org.vit4j.compiled;
