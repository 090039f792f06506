#!/usr/bin/env python3
"""Plots test accuracy against shuffle grid for the scrambling experiment and prints the
Markdown table. Reads the `vit4j eval --format json` outputs in RESULTS_DIR.

usage: plot_scrambling.py RESULTS_DIR OUT.png   (Debian's python3-matplotlib)
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODELS = [("none", "none"), ("sincos2d-mae", "sincos2d (MAE)"), ("learned", "learned"),
          ("learned-scramble-aug", "learned + scramble aug.")]
results_dir, out = sys.argv[1], sys.argv[2]
grids = None
rows = []
plt.figure(figsize=(6, 4))
for key, label in MODELS:
    path = os.path.join(results_dir, key + ".json")
    if not os.path.exists(path):
        continue
    with open(path) as f:
        r = json.load(f)["results"]
    names = ["none" if e["scramble_grid"] is None else e["scramble_grid"] for e in r]
    acc = [100 * e["accuracy"] for e in r]
    grids = names
    rows.append((label, acc))
    plt.plot(range(len(acc)), acc, marker="o", label=label)
plt.xticks(range(len(grids)), ["unscrambled" if g == "none" else g for g in grids])
plt.xlabel("shuffle grid (8x8 = every patch of the 8x8 patch grid)")
plt.ylabel("Fashion-MNIST test accuracy (%)")
plt.title("Patch scrambling vs position embedding")
plt.grid(alpha=0.3)
plt.legend()
plt.tight_layout()
plt.savefig(out, dpi=120)
print("| position embedding | " + " | ".join("unscrambled" if g == "none" else "shuffle " + g for g in grids) + " |")
print("|---|" + "---:|" * len(grids))
for label, acc in rows:
    print(f"| {label} | " + " | ".join(f"{a:.2f}%" for a in acc) + " |")
