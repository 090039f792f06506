#!/usr/bin/env python3
"""Golden rotary tables at an interpolated grid, from timm itself, for
org.vit4j.position.RopeGoldenTest: timm's RotaryEmbeddingCat with ref_feat_shape (EVA-02's scheme
for another resolution: coordinates t / feat_shape * ref_feat_shape), which is vit4j's
PositionScaling.INTERPOLATE for rope-axial on a grid other than the configured one.

timm is imported from a checkout of github:huggingface/pytorch-image-models (Apache-2.0), the
commit in timm_version.txt, never installed:

    git --git-dir=<mirror of pytorch-image-models> archive <commit> timm | tar -x -C /tmp/timm-src
    TIMM_SRC=/tmp/timm-src /usr/bin/python3 make_interpolation_fixtures.py
"""
import os
import sys

sys.path.insert(0, os.environ.get("TIMM_SRC", "/tmp/timm-src"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import torch  # noqa: E402
from timm.layers.pos_embed_sincos import RotaryEmbeddingCat  # noqa: E402

from make_fixtures import save_npy  # noqa: E402  (vit4j's own writer)


def main():
    with torch.no_grad():
        # get_embed (N, 2*D_head) = [sin | cos], head width 16, a 3x5 grid whose model was configured
        # for a 2x4 grid (coordinates shrunk: x * 4/5, y * 2/3) and one configured for 6x10 (stretched)
        xy = RotaryEmbeddingCat(16, temperature=100.0, in_pixels=False, grid_indexing="xy", ref_feat_shape=[2, 4])
        save_npy("rope_axial_ref2x4_embed_3x5.npy", xy.get_embed([3, 5]))
        ij = RotaryEmbeddingCat(16, temperature=10000.0, in_pixels=False, grid_indexing="ij", ref_feat_shape=[6, 10])
        save_npy("rope_axial_ij_ref6x10_embed_3x5.npy", ij.get_embed([3, 5]))
    print("done")


if __name__ == "__main__":
    main()
