#!/usr/bin/env python3
"""Golden sin-cos position-embedding tables for SinCosGoldenTest.

Run from this directory with Debian's interpreter (numpy only):
    /usr/bin/python3 make_golden_sincos.py

Writes float64 .npy files (the reference functions compute in float64):
    sincos1d_n{N}_d{D}.npy            (N, D)            MAE get_1d_sincos_pos_embed_from_grid
    sincos2d_mae_r{R}_c{C}_d{D}.npy   (R*C, D)          MAE get_2d_sincos_pos_embed
    sincos2d_bigvision_r{R}_c{C}_d{D}.npy (R*C, D)      big_vision posemb_sincos_2d
Rows are in row-major patch order (row r, column c -> r*C + c).
"""
import numpy as np


# --- The MAE functions (facebookresearch/mae util/pos_embed.py, after MoCo v3), in the
# --- form Hugging Face transformers ships them in models/vit_mae/modeling_vit_mae.py
# --- (Apache-2.0); same numbers. Changes: grid_size -> (rows, cols) so that non-square
# --- grids work (as in timm/other forks), np.float -> np.float64 (removed in
# --- numpy 1.24), cls_token dropped (the caller prepends prefix tokens).
def get_2d_sincos_pos_embed(embed_dim, rows, cols):
    """
    return:
    pos_embed: [rows*cols, embed_dim]
    """
    grid_h = np.arange(rows, dtype=np.float32)
    grid_w = np.arange(cols, dtype=np.float32)
    grid = np.meshgrid(grid_w, grid_h)  # here w goes first
    grid = np.stack(grid, axis=0)

    grid = grid.reshape([2, 1, rows, cols])
    pos_embed = get_2d_sincos_pos_embed_from_grid(embed_dim, grid)
    return pos_embed


def get_2d_sincos_pos_embed_from_grid(embed_dim, grid):
    assert embed_dim % 2 == 0

    # use half of dimensions to encode grid_h
    # (note: grid[0] is the *w* coordinate because meshgrid got w first, so
    # the first half encodes the column index x)
    emb_h = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[0])  # (H*W, D/2)
    emb_w = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[1])  # (H*W, D/2)

    emb = np.concatenate([emb_h, emb_w], axis=1)  # (H*W, D)
    return emb


def get_1d_sincos_pos_embed_from_grid(embed_dim, pos):
    """
    embed_dim: output dimension for each position
    pos: a list of positions to be encoded: size (M,)
    out: (M, D)
    """
    assert embed_dim % 2 == 0
    omega = np.arange(embed_dim // 2, dtype=np.float64)
    omega /= embed_dim / 2.
    omega = 1. / 10000**omega  # (D/2,)

    pos = pos.reshape(-1)  # (M,)
    out = np.einsum('m,d->md', pos, omega)  # (M, D/2), outer product

    emb_sin = np.sin(out)  # (M, D/2)
    emb_cos = np.cos(out)  # (M, D/2)

    emb = np.concatenate([emb_sin, emb_cos], axis=1)  # (M, D)
    return emb


# --- Rewritten in numpy from google-research/big_vision
# --- big_vision/models/vit.py posemb_sincos_2d (Apache-2.0), "Follows the
# --- MoCo v3 logic"; same as lucidrains SimpleViT posemb_sincos_2d.
# --- Changes: jnp -> np, computed in float64 (JAX default is float32), the
# --- leading batch axis [None] dropped.
def posemb_sincos_2d(h, w, width, temperature=10_000., dtype=np.float64):
    y, x = np.mgrid[:h, :w]

    assert width % 4 == 0, "Width must be mult of 4 for sincos posemb"
    omega = np.arange(width // 4) / (width // 4 - 1)
    omega = 1. / (temperature**omega)
    y = np.einsum("m,d->md", y.flatten(), omega)
    x = np.einsum("m,d->md", x.flatten(), omega)
    pe = np.concatenate([np.sin(x), np.cos(x), np.sin(y), np.cos(y)], axis=1)
    return np.asarray(pe, dtype)


GRIDS = [(2, 2), (4, 4), (7, 7), (3, 5)]
DIMS = [8, 16, 64]
LENGTHS_1D = [(1, 8), (5, 16), (17, 64), (50, 6)]

if __name__ == "__main__":
    for n, d in LENGTHS_1D:
        t = get_1d_sincos_pos_embed_from_grid(d, np.arange(n, dtype=np.float32))
        np.save(f"sincos1d_n{n}_d{d}.npy", t)
    for r, c in GRIDS:
        for d in DIMS:
            np.save(f"sincos2d_mae_r{r}_c{c}_d{d}.npy", get_2d_sincos_pos_embed(d, r, c))
            np.save(f"sincos2d_bigvision_r{r}_c{c}_d{d}.npy", posemb_sincos_2d(r, c, d))
    print("wrote", len(LENGTHS_1D) + 2 * len(GRIDS) * len(DIMS), "files")
