#!/usr/bin/env python3
"""Plots the scaling table of the benchmarks: milliseconds per image against tokens per
image, one line per batch size, log-log, with the slopes of linear (matmul) and quadratic
(attention) growth for reference.

    /usr/bin/python3 src/bench/plot_scaling.py target/bench-scaling.csv src/bench/results/scaling.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(csv_path, png_path):
    rows = list(csv.DictReader(open(csv_path)))
    batches = sorted({int(r["batch"]) for r in rows})
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    for b in batches:
        pts = sorted((int(r["tokens"]), float(r["ms_per_pass"]) / b, int(r["size"])) for r in rows if int(r["batch"]) == b)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label="batch %d" % b)
    base = sorted((int(r["tokens"]), float(r["ms_per_pass"]) / int(r["batch"])) for r in rows if int(r["batch"]) == batches[0])[0]
    xs = sorted({int(r["tokens"]) for r in rows})
    ax.plot(xs, [base[1] * x / base[0] for x in xs], "k:", lw=1, label="∝ tokens")
    ax.plot(xs, [base[1] * (x / base[0]) ** 2 for x in xs], "k--", lw=1, label="∝ tokens²")
    sizes = {int(r["tokens"]): int(r["size"]) for r in rows}
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(xs)
    ax.set_xticklabels(["%d\n(%d×%d)" % (x, sizes[x], sizes[x]) for x in xs])
    ax.minorticks_off()
    ax.set_xlabel("tokens per image (image size)")
    ax.set_ylabel("ms per image")
    ax.set_title("vit4j forward, ViT-Ti/16, fp32, 2-core CPU")
    ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(png_path, dpi=110)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
