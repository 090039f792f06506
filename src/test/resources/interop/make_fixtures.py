#!/usr/bin/env python3
"""Fixtures for org.vit4j.interop.CheckpointImporterTest: small ViTs with seeded random weights in
the three checkpoint layouts, saved as .safetensors, with inputs and logits as .npy.

Run from this directory with Debian's interpreter (python3-torch 1.13, python3-torchvision 0.14,
python3-numpy); the safetensors package is not needed, the format is written by hand below:
    /usr/bin/python3 make_fixtures.py

What each reference is:
  tv_*        torchvision.models.VisionTransformer itself (torchvision's code, eval mode).
              At 32x32 (its native size) the logits are model(x). torchvision cannot run at another
              size (_process_input asserts the size), so for 48x48 and 48x32 the logits come from
              torchvision's own modules (conv_proj, class_token, encoder.layers, encoder.ln, heads)
              called in the order of VisionTransformer.forward, with encoder.pos_embedding's patch
              part resampled as timm's resample_abs_pos_embed does:
              F.interpolate(mode='bicubic', antialias=True, align_corners=False), class row kept.
  timm_*      timm is not installed: TimmViT below is a minimal re-implementation of timm's
              VisionTransformer forward (fused qkv, pre-norm blocks, LayerNorm eps 1e-6, exact GELU,
              cls/register tokens, no_embed_class, avg pooling + fc_norm, resample_abs_pos_embed)
              with timm's parameter names. It verifies the name/shape mapping, not timm itself.
  hf_*        likewise a minimal re-implementation of Hugging Face ViTForImageClassification
              (separate query/key/value, LayerNorm eps 1e-12, interpolate_pos_encoding with plain
              bicubic, align_corners=False) with its parameter names.
  half_*      a timm-layout model whose tensors are stored alternately as F16 and BF16; the
              reference runs the same model with the weights rounded to those types.

Every parameter gets non-trivial values (no zero biases, no unit LayerNorms, no zero head), so a
tensor mapped to the wrong place changes the logits.
"""
import json
import math
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

# --------------------------------------------------------------------------------------------
# safetensors, by hand: u64 little-endian header length, JSON header, raw little-endian data.
# The header is padded with spaces to a multiple of 8 (as the reference implementation does).


def save_safetensors(path, tensors, dtypes=None):
    dtypes = dtypes or {}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        dtype = dtypes.get(name, "F32")
        if dtype == "F32":
            data = t.float().numpy().astype("<f4").tobytes()
        elif dtype == "F16":
            data = t.half().numpy().astype("<f2").tobytes()
        elif dtype == "BF16":
            data = t.to(torch.bfloat16).view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            raise ValueError(dtype)
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def rounded(t, dtype):
    """The float32 value a tensor has after a round trip through a safetensors dtype."""
    return {"F32": t, "F16": t.half().float(), "BF16": t.to(torch.bfloat16).float()}[dtype]


def randomize(model, seed):
    """Seeded non-trivial values for every parameter: weights ~ N(0, 1/fan_in), biases and
    LayerNorm shifts ~ N(0, 0.2^2), LayerNorm scales ~ 1 + N(0, 0.2^2), tokens and positions
    ~ N(0, 0.5^2)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            leaf = name.split(".")[-1]
            is_norm = any(k in name for k in ("norm", "ln", "layernorm"))
            if p.dim() == 1 and is_norm and leaf == "weight":
                p.copy_(1 + 0.2 * r)
            elif p.dim() == 1:
                p.copy_(0.2 * r)
            elif "token" in name or "pos" in name:
                p.copy_(0.5 * r)
            else:
                fan_in = p[0].numel()
                p.copy_(r / math.sqrt(fan_in))


def save_npy(name, t):
    np.save(name, t.detach().contiguous().numpy().astype(np.float32))


def inputs(seed, b, h, w):
    g = torch.Generator().manual_seed(seed)
    return torch.randn((b, 3, h, w), generator=g)


def resize_grid(pos, old, new, antialias):
    """(1, old_h*old_w, D) -> (1, new_h*new_w, D), as timm resample_abs_pos_embed (antialias=True)
    or HF interpolate_pos_encoding (antialias=False) do it."""
    d = pos.shape[-1]
    grid = pos.reshape(1, old[0], old[1], d).permute(0, 3, 1, 2)  # (1, D, h, w)
    grid = F.interpolate(grid, size=new, mode="bicubic", antialias=antialias, align_corners=False)
    return grid.permute(0, 2, 3, 1).reshape(1, new[0] * new[1], d)


# --------------------------------------------------------------------------------------------
# torchvision: the real thing


def torchvision_fixture():
    torch.manual_seed(0)
    model = torchvision.models.VisionTransformer(
        image_size=32, patch_size=16, num_layers=2, num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=5)
    randomize(model, 1)
    model.eval()
    save_safetensors("tv.safetensors", model.state_dict())

    def at_size(x):
        # VisionTransformer.forward, step by step, with the position table resampled (timm style)
        n, _, h, w = x.shape
        p = model.patch_size
        t = model.conv_proj(x).reshape(n, model.hidden_dim, -1).permute(0, 2, 1)  # (B, N, D)
        t = torch.cat([model.class_token.expand(n, -1, -1), t], dim=1)
        pos = model.encoder.pos_embedding  # (1, 1 + N, D)
        old = (model.image_size // p, model.image_size // p)
        pos = torch.cat([pos[:, :1], resize_grid(pos[:, 1:], old, (h // p, w // p), True)], dim=1)
        t = model.encoder.ln(model.encoder.layers(model.encoder.dropout(t + pos)))
        return model.heads(t[:, 0])

    with torch.no_grad():
        x = inputs(10, 2, 32, 32)
        save_npy("tv_input_32x32.npy", x)
        save_npy("tv_logits_32x32.npy", model(x))
        # the step-by-step path equals model(x) at the native size
        assert torch.allclose(at_size(x), model(x), atol=1e-6)
        for h, w in ((48, 48), (48, 32)):
            x = inputs(11 + h + w, 1, h, w)
            save_npy(f"tv_input_{h}x{w}.npy", x)
            save_npy(f"tv_logits_{h}x{w}.npy", at_size(x))


# --------------------------------------------------------------------------------------------
# timm layout: minimal re-implementation of timm.models.vision_transformer.VisionTransformer


class TimmAttention(nn.Module):
    def __init__(self, dim, heads, qkv_bias):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = ((q * self.head_dim ** -0.5) @ k.transpose(-2, -1)).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, c))


class TimmMlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class TimmBlock(nn.Module):
    def __init__(self, dim, heads, hidden, qkv_bias):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = TimmAttention(dim, heads, qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = TimmMlp(dim, hidden)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TimmPatchEmbed(nn.Module):
    def __init__(self, patch, chans, dim):
        super().__init__()
        self.proj = nn.Conv2d(chans, dim, kernel_size=patch, stride=patch)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)  # (B, N, D)


class TimmViT(nn.Module):
    def __init__(self, img_size, patch_size, num_classes, embed_dim, depth, num_heads, mlp_ratio=4.0,
                 qkv_bias=True, class_token=True, reg_tokens=0, no_embed_class=False, global_pool="token",
                 fc_norm=None):
        super().__init__()
        self.patch = patch_size
        self.grid = (img_size // patch_size, img_size // patch_size)
        self.global_pool = global_pool
        self.no_embed_class = no_embed_class
        self.num_prefix_tokens = (1 if class_token else 0) + reg_tokens
        use_fc_norm = global_pool == "avg" if fc_norm is None else fc_norm
        self.patch_embed = TimmPatchEmbed(patch_size, 3, embed_dim)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim)) if class_token else None
        self.reg_token = nn.Parameter(torch.zeros(1, reg_tokens, embed_dim)) if reg_tokens else None
        n = self.grid[0] * self.grid[1]
        embed_len = n if no_embed_class else n + self.num_prefix_tokens
        self.pos_embed = nn.Parameter(torch.zeros(1, embed_len, embed_dim))
        self.blocks = nn.Sequential(*[
            TimmBlock(embed_dim, num_heads, int(embed_dim * mlp_ratio), qkv_bias) for _ in range(depth)])
        self.norm = nn.Identity() if use_fc_norm else nn.LayerNorm(embed_dim, eps=1e-6)
        self.fc_norm = nn.LayerNorm(embed_dim, eps=1e-6) if use_fc_norm else nn.Identity()
        self.head = nn.Linear(embed_dim, num_classes)

    def _pos_embed(self, x, grid):
        pos = self.pos_embed
        if grid != self.grid:  # timm dynamic_img_size: resample_abs_pos_embed, prefix rows kept
            k = 0 if self.no_embed_class else self.num_prefix_tokens
            pos = torch.cat([pos[:, :k], resize_grid(pos[:, k:], self.grid, grid, True)], dim=1)
        to_cat = []
        if self.cls_token is not None:
            to_cat.append(self.cls_token.expand(x.shape[0], -1, -1))
        if self.reg_token is not None:
            to_cat.append(self.reg_token.expand(x.shape[0], -1, -1))
        if self.no_embed_class:
            x = x + pos
            return torch.cat(to_cat + [x], dim=1) if to_cat else x
        x = torch.cat(to_cat + [x], dim=1) if to_cat else x
        return x + pos

    def forward(self, x):
        grid = (x.shape[2] // self.patch, x.shape[3] // self.patch)
        x = self._pos_embed(self.patch_embed(x), grid)
        x = self.norm(self.blocks(x))
        x = x[:, self.num_prefix_tokens:].mean(dim=1) if self.global_pool == "avg" else x[:, 0]
        return self.head(self.fc_norm(x))


# --------------------------------------------------------------------------------------------
# Hugging Face layout: minimal re-implementation of transformers' ViTForImageClassification


class HFPatchEmbeddings(nn.Module):
    def __init__(self, patch, dim):
        super().__init__()
        self.projection = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)


class HFEmbeddings(nn.Module):
    def __init__(self, img, patch, dim):
        super().__init__()
        self.patch, self.grid = patch, img // patch
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.patch_embeddings = HFPatchEmbeddings(patch, dim)
        self.position_embeddings = nn.Parameter(torch.zeros(1, self.grid * self.grid + 1, dim))

    def forward(self, x):
        b, _, h, w = x.shape
        t = self.patch_embeddings.projection(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(b, -1, -1), t], dim=1)
        pos = self.position_embeddings
        new = (h // self.patch, w // self.patch)
        if new != (self.grid, self.grid):  # interpolate_pos_encoding: plain bicubic
            pos = torch.cat([pos[:, :1], resize_grid(pos[:, 1:], (self.grid, self.grid), new, False)], dim=1)
        return t + pos


class HFSelfAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)

    def forward(self, x):
        b, n, d = x.shape

        def split(t):
            return t.view(b, n, self.heads, self.head_dim).permute(0, 2, 1, 3)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        probs = (q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)).softmax(dim=-1)
        return (probs @ v).permute(0, 2, 1, 3).reshape(b, n, d)


class HFDense(nn.Module):
    def __init__(self, i, o):
        super().__init__()
        self.dense = nn.Linear(i, o)


class HFAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attention = HFSelfAttention(dim, heads)
        self.output = HFDense(dim, dim)


class HFLayer(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.attention = HFAttention(dim, heads)
        self.intermediate = HFDense(dim, hidden)
        self.output = HFDense(hidden, dim)
        self.layernorm_before = nn.LayerNorm(dim, eps=1e-12)
        self.layernorm_after = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x):
        x = self.attention.output.dense(self.attention.attention(self.layernorm_before(x))) + x
        h = F.gelu(self.intermediate.dense(self.layernorm_after(x)))
        return self.output.dense(h) + x


class HFEncoder(nn.Module):
    def __init__(self, dim, heads, hidden, depth):
        super().__init__()
        self.layer = nn.ModuleList([HFLayer(dim, heads, hidden) for _ in range(depth)])


class HFViTModel(nn.Module):
    def __init__(self, img, patch, dim, heads, hidden, depth):
        super().__init__()
        self.embeddings = HFEmbeddings(img, patch, dim)
        self.encoder = HFEncoder(dim, heads, hidden, depth)
        self.layernorm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x):
        x = self.embeddings(x)
        for layer in self.encoder.layer:
            x = layer(x)
        return self.layernorm(x)


class HFViTForImageClassification(nn.Module):
    def __init__(self, img, patch, dim, heads, hidden, depth, num_labels):
        super().__init__()
        self.vit = HFViTModel(img, patch, dim, heads, hidden, depth)
        self.classifier = nn.Linear(dim, num_labels)

    def forward(self, x):
        return self.classifier(self.vit(x)[:, 0])


# --------------------------------------------------------------------------------------------


def run(model, x):
    with torch.no_grad():
        return model(x)


def main():
    print("torch", torch.__version__, "torchvision", torchvision.__version__)
    torchvision_fixture()

    x24 = inputs(20, 2, 24, 24)
    save_npy("input_24x24.npy", x24)

    # timm, class token, learned positions for cls + patches; plus a non-square second size
    timm_cls = TimmViT(24, 8, 5, 16, 2, 2, mlp_ratio=4.0).eval()
    randomize(timm_cls, 2)
    save_safetensors("timm_cls.safetensors", timm_cls.state_dict())
    save_npy("timm_cls_logits_24x24.npy", run(timm_cls, x24))
    x32x40 = inputs(21, 1, 32, 40)
    save_npy("input_32x40.npy", x32x40)
    save_npy("timm_cls_logits_32x40.npy", run(timm_cls, x32x40))

    # timm, class token + 2 registers with their own position rows, avg pooling + fc_norm, no qkv bias
    timm_reg = TimmViT(24, 8, 3, 16, 2, 4, mlp_ratio=3.0, qkv_bias=False, reg_tokens=2,
                       global_pool="avg").eval()
    randomize(timm_reg, 3)
    save_safetensors("timm_reg_avg.safetensors", timm_reg.state_dict())
    save_npy("timm_reg_avg_logits_24x24.npy", run(timm_reg, x24))

    # Hugging Face ViTForImageClassification; second size with HF's plain-bicubic interpolation
    hf = HFViTForImageClassification(24, 8, 16, 4, 64, 2, 4).eval()
    randomize(hf, 4)
    save_safetensors("hf.safetensors", hf.state_dict())
    save_npy("hf_logits_24x24.npy", run(hf, x24))
    x40x32 = inputs(22, 1, 40, 32)
    save_npy("input_40x32.npy", x40x32)
    save_npy("hf_logits_40x32.npy", run(hf, x40x32))

    # half precision: timm layout without class token (no_embed_class, avg pooling, norm before
    # pooling), tensors stored alternately as F16 and BF16
    half = TimmViT(24, 8, 3, 16, 1, 2, class_token=False, no_embed_class=True, global_pool="avg",
                   fc_norm=False).eval()
    randomize(half, 5)
    sd = half.state_dict()
    dtypes = {name: ("F16" if i % 2 == 0 else "BF16") for i, name in enumerate(sd)}
    save_safetensors("half.safetensors", sd, dtypes)
    half.load_state_dict({name: rounded(t, dtypes[name]) for name, t in sd.items()})
    save_npy("half_logits_24x24.npy", run(half, x24))
    print("done")


if __name__ == "__main__":
    main()
