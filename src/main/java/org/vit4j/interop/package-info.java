/**
 * Checkpoint import: timm, Hugging Face and torchvision Vision Transformers from
 * {@code .safetensors} into vit4j models ({@link org.vit4j.interop.CheckpointImporter}).
 *
 * <p>Verified numerically (see {@code src/test/resources/interop/make_fixtures.py}): torchvision's
 * own {@code VisionTransformer} (logits to 1e-4 at its native size and, with the position table
 * resampled the way timm does, at two other sizes); the timm and Hugging Face layouts against minimal
 * PyTorch re-implementations of their forward passes with their parameter names (timm and
 * transformers are not installed), which checks the mapping, not those libraries; F16/BF16 storage.
 */
package org.vit4j.interop;
