/**
 * Checkpoint import: timm, Hugging Face and torchvision Vision Transformers from
 * {@code .safetensors} into vit4j models ({@link org.vit4j.interop.CheckpointImporter}).
 *
 * <p>Verified numerically (see {@code src/test/resources/interop/make_fixtures.py}): torchvision's
 * own {@code VisionTransformer} (logits to 1e-4 at its native size and, with the position table
 * resampled the way timm does, at two other sizes); the timm and Hugging Face layouts against minimal
 * PyTorch re-implementations of their forward passes with their parameter names (timm and
 * transformers are not installed), which checks the mapping, not those libraries; F16/BF16 storage.
 *
 * <p>By name: a timm hub {@code config.json} naming a known {@code architecture}
 * ({@code TimmArchitecture}: ViT, DeiT, DINOv2 with registers, DINOv3, RoPE-ViT
 * axial/mixed/mixed+APE) gives the whole architecture, rotary embeddings and LayerScale included;
 * these are verified against timm itself ({@code src/test/resources/interop/timm/make_fixtures.py}
 * imports timm from its source and builds small models with timm's own classes). Hugging Face
 * names are read in both the transformers 4.x and 5.x generations ({@code SourceNames}).
 */
package org.vit4j.interop;
