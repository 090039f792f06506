#!/usr/bin/env python3
"""PyTorch-eager peer of `vit4j bench --train fashion-mnist --variant fashion|fashion-small`.

The same architecture as vit4j's `fashion` variant (128x128 grey input, 16x16 patches -> 8x8 grid,
width 96, depth 6, 4 heads, MLP ratio 2, learned position embedding, average pooling, pre-norm
blocks, LayerNorm eps 1e-6) or `fashion-small` (width 64, depth 4), the same training step (label-smoothed cross-entropy 0.1, global-norm
clipping at 1.0, AdamW lr 1e-3 with weight decay 0.05 on weight matrices only) and the same input
work per batch of 128: real Fashion-MNIST images, RandomResizedCrop(scale 0.8-1) + horizontal flip
per image, bilinear resize of 28x28 to 128x128, normalization (x - 0.5) / 0.5.

Prints one JSON object: images_per_s (median of --rounds timed rounds of --seconds each, after
--warmup steps), threads, torch version. The batches are built in the training loop's thread, as in
a plain PyTorch loop without DataLoader workers; --model-only builds one batch and reuses it, which
times the model step alone (forward, backward, clipping, AdamW): the peer's upper bound.
--precision bf16 runs the forward under torch.autocast("cpu", dtype=torch.bfloat16) (bf16 matrix
products, fp32 weights and AdamW state), as vit4j's `--precision bf16`.

    /usr/bin/python3 src/bench/train_peer.py [--variant fashion|fashion-small] [--precision fp32|bf16]
        [--data-dir DIR] [--seconds 20] [--rounds 3] [--threads 2] [--model-only]
"""
import argparse
import gzip
import json
import math
import os
import random
import statistics
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms.functional as TF

DATA_DIRS = ["/usr/share/fashion-mnist", "/usr/share/dataset-fashion-mnist", "/usr/share/datasets/fashion-mnist"]


def find_images(data_dir):
    dirs = [data_dir] if data_dir else DATA_DIRS
    for d in dirs:
        for root, _, files in os.walk(d):
            for f in files:
                if f.startswith("train-images-idx3-ubyte"):
                    return os.path.join(root, f), os.path.join(root, f.replace("images-idx3", "labels-idx1"))
    raise SystemExit("Fashion-MNIST not found in %s (apt-get install dataset-fashion-mnist)" % dirs)


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape).copy()


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):  # (B, T, D)
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attn = (q * (d // self.heads) ** -0.5) @ k.transpose(-2, -1)  # (B, H, T, T)
        x = (attn.softmax(-1) @ v).transpose(1, 2).reshape(b, t, d)
        return self.proj(x)


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class FashionViT(nn.Module):
    def __init__(self, size=128, patch=16, dim=96, depth=6, heads=4, mlp_ratio=2.0, classes=10):
        super().__init__()
        self.patch_embed = nn.Conv2d(1, dim, patch, patch)
        self.pos_embed = nn.Parameter(torch.randn(1, (size // patch) ** 2, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, int(dim * mlp_ratio)) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):  # (B, 1, 128, 128)
        x = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed  # (B, 64, D)
        return self.head(self.norm(self.blocks(x)).mean(1))  # (B, classes)


# vit4j's Variant FASHION and FASHION_SMALL (width, depth; both 4 heads, MLP ratio 2, 16 px patches)
VARIANTS = {"fashion": dict(dim=96, depth=6), "fashion-small": dict(dim=64, depth=4)}


def batch(images, labels, idx, rng, size=128):
    out = torch.empty(len(idx), 1, size, size)
    for i, j in enumerate(idx):
        img = torch.from_numpy(images[j]).float().div_(255).unsqueeze(0)  # (1, 28, 28)
        area = 28 * 28 * rng.uniform(0.8, 1.0)
        ratio = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        w = min(28, int(round(math.sqrt(area * ratio))))
        h = min(28, int(round(math.sqrt(area / ratio))))
        top, left = rng.randint(0, 28 - h), rng.randint(0, 28 - w)
        img = TF.resized_crop(img, top, left, h, w, [size, size])
        if rng.random() < 0.5:
            img = img.flip(-1)
        out[i] = img
    return out.sub_(0.5).div_(0.5), torch.from_numpy(labels[idx].astype(np.int64))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir")
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="fashion")
    ap.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None,
                    help="torch.set_num_threads(N); default: torch's own (all cores), not set")
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--model-only", action="store_true", help="reuse one batch: time the model step alone")
    a = ap.parse_args()
    if a.threads is not None:
        torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    rng = random.Random(42)
    img_path, lab_path = find_images(a.data_dir)
    images, labels = read_idx(img_path), read_idx(lab_path)
    model = FashionViT(**VARIANTS[a.variant])
    decay = [p for p in model.parameters() if p.ndim >= 2 and p is not model.pos_embed]
    rest = [p for p in model.parameters() if not (p.ndim >= 2 and p is not model.pos_embed)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": rest, "weight_decay": 0.0}], lr=1e-3)
    order = np.random.default_rng(42).permutation(len(images))
    pos = [0]
    fixed = batch(images, labels, order[:a.batch_size], rng) if a.model_only else None

    def step():
        if pos[0] + a.batch_size > len(order):
            pos[0] = 0
        idx = order[pos[0]:pos[0] + a.batch_size]
        pos[0] += a.batch_size
        x, y = fixed if fixed is not None else batch(images, labels, idx, rng)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
            logits = model(x)
        loss = F.cross_entropy(logits.float(), y, label_smoothing=0.1)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return len(idx)

    for _ in range(a.warmup):
        step()
    rates = []
    for _ in range(a.rounds):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < a.seconds:
            n += step()
        rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({"images_per_s": round(statistics.median(rates), 1), "rounds": [round(r, 1) for r in rates],
                      "threads": a.threads if a.threads is not None else torch.get_num_threads(), "batch_size": a.batch_size, "model_only": a.model_only,
                      "variant": a.variant, "precision": a.precision,
                      "torch": torch.__version__}))


if __name__ == "__main__":
    main()
