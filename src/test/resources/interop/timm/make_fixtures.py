#!/usr/bin/env python3
"""Golden fixtures from timm itself, for org.vit4j.interop.TimmGoldenTest and
org.vit4j.interop.TimmArchitecturesTest: small seeded models built with timm's own classes
(timm.models.eva.Eva, timm.models.vision_transformer.VisionTransformer), weights as .safetensors,
inputs, logits and forward_features as .npy, timm hub style config.json files; plus the tensor
names and shapes of every full-size architecture vit4j knows by name (no weights).

timm is imported from a checkout of github:huggingface/pytorch-image-models (Apache-2.0), never
copied into vit4j. Run from this directory with Debian's interpreter (python3-torch 1.13,
python3-torchvision 0.14, python3-numpy, python3-yaml):

    git --git-dir=<mirror of pytorch-image-models> archive <commit> timm | tar -x -C /tmp/timm-src
    TIMM_SRC=/tmp/timm-src /usr/bin/python3 make_fixtures.py

The commit used is written into timm_version.txt. Current timm runs unchanged on torch 1.13 for
these models (no runtime patches were needed).

What each fixture is (every parameter jittered so that nothing is zero or one; LayerScale gammas
far from their 1e-5 init; rope.freqs of RoPE-Mixed perturbed around timm's random init):
  dinov3       Eva with the options of vit_small_patch16_dinov3_qkvb (DINOv3 with q and v biases)
               (rope_type='dinov3', temperature 100, rotate_half, 4 registers, LayerNorm eps 1e-5,
               avg pooling after the final norm, q_bias/v_bias with k's bias fixed at zero)
  rope_axial   Eva with the options of vit_small_patch16_rope_224 (AttentionRope, axial rope,
               xy indexing, temperature 100, class token pooling)
  rope_mixed   Eva with the options of vit_small_patch16_rope_mixed_224 (learnable rope.freqs,
               temperature 10)
  rope_mixed_ape  vit_small_patch16_rope_mixed_ape_224's options: RoPE-Mixed and a learned absolute
               table without a class row (no_embed_class=True)
  dinov2       VisionTransformer with the options of vit_small_patch14_reg4_dinov2 (patch 14,
               4 registers, no_embed_class, LayerScale)
All are built with dynamic_img_size=True, so timm itself recomputes the rotation (and resamples a
learned table with resample_abs_pos_embed) at the second, non-square input size.
"""
import json
import math
import os
import subprocess
import sys
from functools import partial

sys.path.insert(0, os.environ.get("TIMM_SRC", "/tmp/timm-src"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import timm  # noqa: E402
from timm.layers import LayerNorm  # noqa: E402
from timm.models.eva import Eva  # noqa: E402
from timm.models.vision_transformer import VisionTransformer  # noqa: E402

from make_fixtures import save_safetensors, save_npy, inputs  # noqa: E402  (vit4j's own writer)

# The architectures vit4j imports by name (org.vit4j.interop.TimmArchitectures).
ARCHITECTURES = [
    "vit_tiny_patch16_224", "vit_small_patch16_224", "vit_base_patch16_224",
    "deit_tiny_patch16_224", "deit_small_patch16_224", "deit_base_patch16_224",
    "vit_small_patch14_reg4_dinov2", "vit_base_patch14_reg4_dinov2",
    "vit_small_patch16_dinov3", "vit_base_patch16_dinov3", "vit_large_patch16_dinov3",
    "vit_small_patch16_dinov3_qkvb", "vit_base_patch16_dinov3_qkvb", "vit_large_patch16_dinov3_qkvb",
    "vit_small_patch16_rope_224", "vit_base_patch16_rope_224",
    "vit_small_patch16_rope_mixed_224", "vit_base_patch16_rope_mixed_224",
    "vit_small_patch16_rope_mixed_ape_224", "vit_base_patch16_rope_mixed_ape_224",
]


def jitter(model, seed):
    """Seeded non-trivial values: matrices N(0, 1/fan_in); biases N(0, 0.2^2); norm scales
    1 + N(0, 0.2^2); LayerScale gammas 0.5 + N(0, 0.2^2); tokens and tables N(0, 0.5^2);
    rope.freqs timm's init times 1 + N(0, 0.1^2)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            leaf = name.split(".")[-1]
            if name == "rope.freqs":
                p.mul_(1 + 0.1 * r)
            elif leaf in ("gamma", "gamma_1", "gamma_2"):
                p.copy_(0.5 + 0.2 * r)
            elif p.dim() == 1 and "norm" in name and leaf == "weight":
                p.copy_(1 + 0.2 * r)
            elif p.dim() == 1:
                p.copy_(0.2 * r)
            elif "token" in name or "pos_embed" in name:
                p.copy_(0.5 * r)
            else:
                p.copy_(r / math.sqrt(p[0].numel()))


EVA_COMMON = dict(img_size=32, patch_size=8, num_classes=5, embed_dim=32, depth=2, num_heads=2,
                  mlp_ratio=4, init_values=1e-5, dynamic_img_size=True)

MODELS = {
    # name: (constructor, kwargs, architecture it mirrors, grids (h, w) in pixels)
    "dinov3": (Eva, dict(EVA_COMMON, qkv_bias=True, rope_type="dinov3", rope_temperature=100,
                         rope_rotate_half=True, use_rot_pos_emb=True, use_abs_pos_emb=False,
                         num_reg_tokens=4, use_fc_norm=False, norm_layer=partial(LayerNorm, eps=1e-5)),
               "vit_small_patch16_dinov3_qkvb", [(32, 32), (24, 40)]),
    "rope_axial": (Eva, dict(EVA_COMMON, attn_type="rope", qkv_bias=True, class_token=True,
                             global_pool="token", use_abs_pos_emb=False, use_rot_pos_emb=True,
                             rope_grid_indexing="xy", rope_temperature=100.0),
                   "vit_small_patch16_rope_224", [(32, 32), (24, 40)]),
    "rope_mixed": (Eva, dict(EVA_COMMON, attn_type="rope", qkv_bias=True, class_token=True,
                             global_pool="token", use_abs_pos_emb=False, use_rot_pos_emb=True,
                             rope_grid_indexing="xy", rope_temperature=10.0, rope_type="mixed"),
                   "vit_small_patch16_rope_mixed_224", [(32, 32), (24, 40)]),
    "rope_mixed_ape": (Eva, dict(EVA_COMMON, attn_type="rope", qkv_bias=True, class_token=True,
                                 global_pool="token", no_embed_class=True, use_abs_pos_emb=True,
                                 use_rot_pos_emb=True, rope_grid_indexing="xy", rope_temperature=10.0,
                                 rope_type="mixed"),
                       "vit_small_patch16_rope_mixed_ape_224", [(32, 32), (24, 40)]),
    "dinov2": (VisionTransformer, dict(img_size=42, patch_size=14, num_classes=5, embed_dim=32, depth=2,
                                       num_heads=2, init_values=1e-5, reg_tokens=4, no_embed_class=True,
                                       dynamic_img_size=True),
               "vit_small_patch14_reg4_dinov2", [(42, 42), (28, 56)]),
}


def hub_config(arch, kwargs, global_pool):
    """A config.json as timm writes it to the hub (architecture, num_classes, global_pool,
    model_args, pretrained_cfg), with the reduced sizes as model_args."""
    cfg = timm.models.get_pretrained_cfg(arch)
    pre = cfg.to_dict() if cfg is not None else {}
    size = kwargs["img_size"]
    model_args = {k: kwargs[k] for k in ("img_size", "patch_size", "embed_dim", "depth", "num_heads")}
    return {
        "architecture": arch,
        "num_classes": kwargs["num_classes"],
        "num_features": kwargs["embed_dim"],
        "global_pool": global_pool,
        "model_args": model_args,
        "pretrained_cfg": {
            "input_size": [3, size, size],
            "interpolation": pre.get("interpolation", "bicubic"),
            "crop_pct": pre.get("crop_pct", 0.9),
            "mean": list(pre.get("mean", (0.485, 0.456, 0.406))),
            "std": list(pre.get("std", (0.229, 0.224, 0.225))),
            "num_classes": kwargs["num_classes"],
        },
    }


def shapes_of(arch):
    model = timm.create_model(arch, pretrained=False, device="meta")
    sd = model.state_dict()
    pre = model.pretrained_cfg
    return {
        "tensors": {k: list(v.shape) for k, v in sd.items()},
        "pretrained_cfg": {k: pre.get(k) for k in ("input_size", "interpolation", "crop_pct", "mean", "std",
                                                     "num_classes")},
        "global_pool": getattr(model, "global_pool", None),
    }


def main():
    print("torch", torch.__version__, "timm", timm.__version__)
    src = os.environ.get("TIMM_SRC", "/tmp/timm-src")
    with open("timm_version.txt", "w") as f:
        f.write("timm " + timm.__version__ + "\n")
        commit = os.environ.get("TIMM_COMMIT")
        if commit:
            f.write("commit " + commit + "\n")
    seed = 100
    for name, (ctor, kwargs, arch, grids) in MODELS.items():
        torch.manual_seed(seed)  # timm's own init (rope.freqs angles) draws from torch's generator
        model = ctor(**kwargs).eval()
        jitter(model, seed + 1)
        seed += 10
        save_safetensors(name + ".safetensors", model.state_dict())
        gp = kwargs.get("global_pool", "avg" if ctor is Eva else "token")
        with open(name + "_config.json", "w") as f:
            json.dump(hub_config(arch, kwargs, gp), f, indent=2)
        for h, w in grids:
            x = inputs(1000 + 100 * h + w, 2, h, w)  # one input per size, shared by the models
            with torch.no_grad():
                save_npy(f"input_{h}x{w}.npy", x)
                save_npy(f"{name}_logits_{h}x{w}.npy", model(x))
                save_npy(f"{name}_features_{h}x{w}.npy", model.forward_features(x))
    # The rotation tables themselves, timm's get_embed (N, 2*D_head) = [sin | cos], head width 16,
    # a 3x5 grid: RotaryEmbeddingCat as RoPE-ViT axial uses it, RotaryEmbeddingDinoV3, and
    # RotaryEmbeddingMixed (get_mixed_freqs) with its seeded random frequencies saved beside it.
    from timm.layers.pos_embed_sincos import RotaryEmbeddingCat, RotaryEmbeddingDinoV3, RotaryEmbeddingMixed
    with torch.no_grad():
        cat = RotaryEmbeddingCat(16, temperature=100.0, in_pixels=False, grid_indexing="xy")
        save_npy("rope_axial_embed_3x5.npy", cat.get_embed([3, 5]))
        cat_ij = RotaryEmbeddingCat(16, temperature=10000.0, in_pixels=False, grid_indexing="ij")
        save_npy("rope_axial_ij_embed_3x5.npy", cat_ij.get_embed([3, 5]))
        save_npy("rope_dinov3_embed_3x5.npy", RotaryEmbeddingDinoV3(16, temperature=100.0).get_embed([3, 5]))
        torch.manual_seed(7)
        mixed = RotaryEmbeddingMixed(32, depth=2, num_heads=2, temperature=10.0, grid_indexing="xy")
        save_npy("rope_mixed_freqs.npy", mixed.freqs)  # (2, depth, heads, D_head/2)
        save_npy("rope_mixed_embed_3x5.npy", mixed.get_embed([3, 5]))  # (depth, heads, N, 2*D_head)
    # Names and shapes of the full-size architectures, from timm's constructors on the meta device.
    with open("architectures.json", "w") as f:
        json.dump({arch: shapes_of(arch) for arch in ARCHITECTURES}, f, separators=(",", ":"), sort_keys=True)
    print("done")


if __name__ == "__main__":
    main()
