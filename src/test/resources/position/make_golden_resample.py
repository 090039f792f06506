#!/usr/bin/env python3
"""Golden bicubic resampling of learned position-embedding grids for PosEmbedResamplerGoldenTest.

Run from this directory with Debian's interpreter (python3-torch 1.13):
    /usr/bin/python3 make_golden_resample.py

For each case, a seeded random table (rows*cols, D) in row-major patch order is
reshaped to a (1, D, rows, cols) grid exactly as timm resample_abs_pos_embed does
(reshape(1, H, W, D).permute(0, 3, 1, 2)), resized with
torch.nn.functional.interpolate(mode='bicubic', align_corners=False) with and
without antialias, and permuted back to (newRows*newCols, D).
    timm resample_abs_pos_embed              -> antialias=True   -> resample_timm_*.npy
    HF ViTEmbeddings.interpolate_pos_encoding -> antialias=False -> resample_hf_*.npy
All files are float32, like the tensors.
"""
import torch
import torch.nn.functional as F
import numpy as np

D = 8
CASES = [((4, 4), (6, 6)), ((7, 7), (14, 14)), ((7, 7), (3, 5)), ((14, 14), (7, 7)), ((4, 4), (4, 6))]


def resize(table, old, new, antialias):
    grid = table.reshape(1, old[0], old[1], -1).permute(0, 3, 1, 2)  # (1, D, H, W)
    out = F.interpolate(grid, size=new, mode="bicubic", antialias=antialias, align_corners=False)
    return out.permute(0, 2, 3, 1).reshape(new[0] * new[1], -1)  # (H'*W', D)


if __name__ == "__main__":
    print("torch", torch.__version__)
    for (r, c), (nr, nc) in CASES:
        torch.manual_seed(1000 * r + c)
        table = torch.randn(r * c, D, dtype=torch.float32)  # (rows*cols, D)
        tag = f"{r}x{c}_to_{nr}x{nc}"
        # .contiguous(): otherwise numpy saves the permuted view with fortran_order=True
        np.save(f"resample_in_{tag}.npy", table.contiguous().numpy())
        np.save(f"resample_timm_{tag}.npy", resize(table, (r, c), (nr, nc), True).contiguous().numpy())
        np.save(f"resample_hf_{tag}.npy", resize(table, (r, c), (nr, nc), False).contiguous().numpy())
    print("wrote", 3 * len(CASES), "files")
