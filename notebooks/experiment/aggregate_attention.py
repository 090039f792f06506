#!/usr/bin/env python3
"""Where the heads look: the figure and table of the mean attention distances that
attention_distance.sh measured (RESULTS/attention/KIND.json, one per position-embedding kind).

    /usr/bin/python3 notebooks/experiment/aggregate_attention.py RESULTS [PAGE]

Writes RESULTS/attention-distance.png in the style of the ViT paper's figure 7 (right): one panel per
kind, the mean attention distance (in patches) of every head against the layer, filled dots for the
unscrambled test images and open ones for the same images with every patch shuffled (8x8), and the
grid's mean distance between two patches (what uniform attention gives) as a dashed line. With
PAGE (docs/experiment.md), replaces the block between <!-- attention-distance:begin --> and
<!-- attention-distance:end --> with the table: per kind and layer, the heads' smallest, mean and
largest distance, unscrambled and scrambled. Uses Debian's python3-numpy and python3-matplotlib.
"""
import json
import math
import os
import sys

from aggregate import update_page  # the same marked-block writer as the experiment's tables

ORDER = ["none", "learned", "sincos1d", "sincos2d-mae", "sincos2d-bigvision", "rope-axial", "rope-mixed",
         "rope-mixed+learned", "learned-scramble-aug"]


def uniform_distance(rows, cols):
    """The mean euclidean distance between two patches of a rows x cols grid (every pair, itself included)."""
    cells = [(r, c) for r in range(rows) for c in range(cols)]
    total = sum(math.hypot(a[0] - b[0], a[1] - b[1]) for a in cells for b in cells)
    return total / len(cells) ** 2


def load(results):
    d = os.path.join(results, "attention")
    runs = {}
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.endswith(".json"):
            r = json.load(open(os.path.join(d, name)))
            runs[r["kind"]] = r
    kinds = [k for k in ORDER if k in runs] + sorted(k for k in runs if k not in ORDER)
    return [runs[k] for k in kinds]


def table(runs):
    lines = ["| kind | layer | unscrambled: min / mean / max over heads | scrambled 8×8: min / mean / max |",
             "|---|---:|---|---|"]
    for r in runs:
        plain, scr = r["unscrambled"]["distance"], r["scrambled"]["distance"]
        for layer, (p, s) in enumerate(zip(plain, scr), 1):
            fmt = lambda v: f"{min(v):.2f} / {sum(v) / len(v):.2f} / {max(v):.2f}"
            lines.append(f"| {r['kind'] if layer == 1 else ''} | {layer} | {fmt(p)} | {fmt(s)} |")
    return lines


def plot(runs, uniform, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(runs)
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.4 * rows), squeeze=False, sharex=True, sharey=True)
    for ax, r in zip(axes.flat, runs):
        plain, scr = r["unscrambled"]["distance"], r["scrambled"]["distance"]
        for layer, (p, s) in enumerate(zip(plain, scr), 1):
            ax.scatter([layer - 0.08] * len(p), p, s=18, color="tab:blue", label="unscrambled" if layer == 1 else None)
            ax.scatter([layer + 0.08] * len(s), s, s=18, facecolors="none", edgecolors="tab:red",
                       label="patches shuffled (8x8)" if layer == 1 else None)
        ax.axhline(uniform, color="gray", linestyle="--", linewidth=1, label="uniform attention")
        ax.set_title(r["kind"], fontsize=10)
        ax.set_xticks(range(1, len(plain) + 1))
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("layer")
    for ax in axes[:, 0]:
        ax.set_ylabel("mean attention distance (patches)")
    axes.flat[0].legend(fontsize=7, loc="lower right")
    images = runs[0]["unscrambled"]["images"]
    fig.suptitle(f"Mean attention distance of every head, {images} Fashion-MNIST test images", fontsize=11)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)


def main():
    results = sys.argv[1]
    runs = load(results)
    if not runs:
        sys.exit(f"aggregate_attention.py: no {results}/attention/*.json (run attention_distance.sh)")
    side = 8  # the experiment's 128-px images, 16-px patches
    uniform = uniform_distance(side, side)
    plot(runs, uniform, os.path.join(results, "attention-distance.png"))
    lines = table(runs)
    lines.append("")
    lines.append(f"Uniform attention on the 8×8 grid: {uniform:.3f} patches. "
                 f"{runs[0]['unscrambled']['images']} test images per kind.")
    if len(sys.argv) > 2:
        update_page(sys.argv[2], lines, "attention-distance")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
