#!/usr/bin/env python3
"""Aggregates the position-embedding experiment: reads the per-run files that run_experiment.sh
writes (RESULTS_DIR/runs/NAME-seedS.json) and writes into RESULTS_DIR

  tables.md       mean ± sample standard deviation over seeds, each kind's difference from
                  `learned` with its standard error, and the individual runs (also printed)
  summary.json    the same numbers, for notebook 03
  scrambling.png  accuracy against shuffle grid, error bars = standard deviation over seeds
  resolution.png  accuracy against evaluation size, error bars = standard deviation over seeds; with
                  the runs' interpolated-positions evaluations (`resolution_interpolated`), a second
                  panel with those
  curves.png      validation accuracy against epoch, mean ± standard deviation over seeds: how fast
                  each kind learns and whether it has reached its plateau

With a Markdown page as a second argument (docs/experiment.md), also replaces the part of it
between the lines <!-- TAG:begin --> and <!-- TAG:end --> with tables.md, so the page's numbers
are the ones computed here; TAG is the third argument (default: experiment-tables).

usage: aggregate.py RESULTS_DIR [PAGE.md [TAG]]        (numpy, Debian's python3-matplotlib)
"""
import collections
import glob
import json
import os
import sys

import numpy as np

KINDS = [("none", "none"), ("learned", "learned"), ("sincos1d", "sincos1d"),
         ("sincos2d-mae", "sincos2d (MAE)"), ("sincos2d-bigvision", "sincos2d (big_vision)"),
         ("rope-axial", "RoPE axial"), ("rope-mixed", "RoPE mixed"),
         ("rope-mixed+learned", "RoPE mixed + learned"), ("learned-scramble-aug", "learned + scramble aug.")]
LABEL = dict(KINDS)
INTERP = "resolution_interpolated"  # the runs' evaluation at other sizes with interpolated positions


def load(runs_dir):
    runs = []
    for p in sorted(glob.glob(os.path.join(runs_dir, "*.json"))):
        with open(p) as f:
            runs.append(json.load(f))
    return runs


def accuracy_by_grid(run):
    return {("unscrambled" if e["scramble_grid"] is None else e["scramble_grid"]): 100 * e["accuracy"]
            for e in run["scrambling"]["results"]}


def accuracy_by_size(run, key="resolution"):
    """Unscrambled accuracy at the training size and at every evaluated size, keyed by side in px;
    key "resolution_interpolated" for the evaluation with interpolated positions."""
    train_side = run["config"]["imageHeight"]
    acc = {train_side: 100 * run["scrambling"]["results"][0]["accuracy"]}
    for e in run[key]["results"]:
        if e["scramble_grid"] is None:
            acc[int(e["image_size"].split("x")[0])] = 100 * e["accuracy"]
    return acc


def by_size(rs, sizes, key="resolution"):
    """The runs' accuracy at every size under summary key `key`: {side: {mean, std, runs}}."""
    out = {}
    for z in sizes:
        acc = [accuracy_by_size(r, key)[z] for r in rs]
        m, sd, _ = stats(acc)
        out[str(z)] = {"mean": m, "std": sd, "runs": acc}
    return out


def size_table(entries, key, sizes, grid_of):
    """Markdown lines of one resolution table: a row per kind, a column per size, under summary key `key`."""
    lines = ["| position embedding | " + " | ".join(grid_of(z) for z in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for e in entries:
        lines.append(f"| {e['label']} | " + " | ".join(fmt(e[key][str(z)]["mean"], e[key][str(z)]["std"]) for z in sizes) + " |")
    return lines


def recipe(run):
    """The training recipe of a run, from its train.json, in one line."""
    t, c = run["train"], run["config"]
    aug = []
    if t.get("cropMinScale", 0) > 0:
        aug.append(f"random resized crops ≥ {100 * t['cropMinScale']:.0f} % of the area")
    if t.get("hflip", False):
        aug.append("horizontal flips")
    if t.get("randomErase", 0) > 0:
        aug.append(f"random erasing {t['randomErase']}")
    return (f"`{c['imageHeight']}` px, {c['patchSize']}-px patches, width {c['width']}, depth {c['depth']}, "
            f"{c['heads']} heads; {t['epochs']} epochs, batch {t['batchSize']}, AdamW (weight decay {t['weightDecay']}), "
            f"peak lr {t['lr']} after {t['warmupEpochs']} warm-up epochs, cosine decay to {t['minLr']}, "
            f"label smoothing {t['labelSmoothing']}, gradient clipping {t['clipGrad']}, "
            f"augmentation: {', '.join(aug) if aug else 'none'}; "
            f"{str(t.get('precision', 'FP32')).lower()} matrix products ({str(t.get('engine', 'EAGER')).lower()} step); "
            f"{t['data']['train_images']} training images ({t['data']['train']}), {t['data']['val_images']} held out; "
            f"test: {run['scrambling']['data']}").replace("`", "")


def validation_curves(by_kind, kinds):
    """Per kind: validation accuracy (%) after every epoch, each seed's and their mean and standard
    deviation; empty where the runs held nothing out or differ in length."""
    out = []
    for k in kinds:
        runs = [[100 * m["val_accuracy"] for m in r["metrics"] if m.get("val_accuracy") is not None] for r in by_kind[k]]
        if not runs or not runs[0] or len({len(x) for x in runs}) != 1:
            return []
        a = np.asarray(runs)
        sd = a.std(axis=0, ddof=1) if len(runs) > 1 else np.full(a.shape[1], np.nan)
        out.append({"name": k, "label": LABEL.get(k, k), "epochs": list(range(1, a.shape[1] + 1)),
                    "mean": a.mean(axis=0).tolist(), "std": sd.tolist(), "runs": runs})
    if len({len(c["epochs"]) for c in out}) != 1:
        return []
    return out


def stats(values):
    v = np.asarray(values, dtype=float)
    sd = float(v.std(ddof=1)) if len(v) > 1 else float("nan")
    return float(v.mean()), sd, len(v)


def fmt(mean, sd):
    return f"{mean:.2f}" if np.isnan(sd) else f"{mean:.2f} ± {sd:.2f}"


def main():
    out_dir = sys.argv[1]
    runs_dir = os.path.join(out_dir, "runs")
    runs = load(runs_dir)
    if not runs:
        sys.exit(f"aggregate.py: no run files in {runs_dir}")
    by_kind = {}
    for r in runs:
        by_kind.setdefault(r["name"], []).append(r)
    kinds = [k for k, _ in KINDS if k in by_kind] + sorted(k for k in by_kind if k not in LABEL)
    for k in by_kind:
        by_kind[k].sort(key=lambda r: r["seed"])
    grids = list(accuracy_by_grid(runs[0]).keys())
    sizes = sorted(accuracy_by_size(runs[0]).keys())
    train_side = runs[0]["config"]["imageHeight"]
    patch = runs[0]["config"]["patchSize"]

    summary = {"kinds": [], "grids": grids, "sizes": sizes, "train_size": train_side}
    for k in kinds:
        rs = by_kind[k]
        g = {c: stats([accuracy_by_grid(r)[c] for r in rs]) for c in grids}
        summary["kinds"].append({
            "name": k, "label": LABEL.get(k, k), "seeds": [r["seed"] for r in rs],
            "scrambling": {c: {"mean": m, "std": sd, "runs": [accuracy_by_grid(r)[c] for r in rs]}
                           for c, (m, sd, _) in g.items()},
            "resolution": by_size(rs, sizes),
        })
        if all(INTERP in r for r in rs):
            summary["kinds"][-1][INTERP] = by_size(rs, sizes, INTERP)
    interp = [e for e in summary["kinds"] if INTERP in e]

    r0 = runs[0]
    t = r0["train"]
    budget = recipe(r0)
    # the training epochs' own times (metrics.jsonl), complete for a run resumed after an
    # interruption, whose wall time counts only from its last start
    train_s = [sum(m["epoch_seconds"] for m in r["metrics"]) for r in runs]
    eval_s = [r["wall_seconds"]["eval"] for r in runs]
    ips = [np.mean([m["images_per_s"] for m in r["metrics"]]) for r in runs]
    # the CPU each run trained on, where train.json records it (runs from before it did: not named)
    cpus = collections.Counter((r["train"].get("provenance") or {}).get("cpu") for r in runs)
    named = [f"{c} ({n} run{'s' if n > 1 else ''})" for c, n in cpus.items() if c]
    where = " on " + "; ".join(named) + (f"; {cpus[None]} on a CPU not recorded" if cpus[None] else "") if named else ""
    lines = [f"Runs: {len(runs)} ({', '.join(f'{LABEL.get(k, k)} ×{len(by_kind[k])}' for k in kinds)}).",
             f"Recipe: {budget}.",
             f"Time per run{where}: training {np.mean(train_s) / 60:.1f} min "
             f"(min {min(train_s) / 60:.1f}, max {max(train_s) / 60:.1f}) at {np.mean(ips):.0f} images/s, "
             f"evaluation {np.mean(eval_s):.0f} s; all {len(runs)} runs: {(sum(train_s) + sum(eval_s)) / 3600:.1f} h "
             "added up (the training epochs' times from metrics.jsonl, which leave out start-up, validation and "
             "checkpoints, plus the evaluations' wall time; runs that ran side by side overlap in wall-clock time).", ""]

    curves = validation_curves(by_kind, kinds)
    if curves:
        summary["curves"] = curves
        n_ep = len(curves[0]["epochs"])
        spans = sorted({k for k in (max(1, n_ep // 10), max(1, n_ep // 4)) if k < n_ep})
        n_val = t["data"]["val_images"]
        p = np.mean([c["mean"][-1] for c in curves]) / 100
        lines += [f"### Validation accuracy (%) by epoch, mean ± standard deviation over seeds: the plateau", "",
                  f"The held-out training images ({n_val}) after every epoch; \"last k epochs\" is the change from "
                  "epoch n − k to the last one, n, against the sampling error of one validation accuracy, "
                  f"√(p(1−p)/{n_val}) = {100 * np.sqrt(p * (1 - p) / n_val):.2f} points at p = {100 * p:.1f} %; "
                  "the test accuracy below is that of the best epoch by validation (the model the run keeps).", "",
                  "| position embedding | epoch 1 | epoch " + str(max(1, n_ep // 2)) + f" | last epoch ({n_ep}) | best | "
                  + " | ".join(f"last {k} epochs" for k in spans) + " |",
                  "|---|---:|---:|---:|---:|" + "---:|" * len(spans)]
        for c in curves:
            m, sd = np.asarray(c["mean"]), np.asarray(c["std"])
            best = stats([max(r) for r in c["runs"]])
            gains = [stats([r[-1] - r[-1 - k] for r in c["runs"]]) for k in spans]
            lines.append(f"| {c['label']} | {fmt(m[0], sd[0])} | {fmt(m[n_ep // 2 - 1], sd[n_ep // 2 - 1])} | "
                         f"{fmt(m[-1], sd[-1])} | {fmt(best[0], best[1])} | "
                         + " | ".join(f"{g[0]:+.2f}" + ("" if np.isnan(g[1]) else f" ± {g[1]:.2f}") for g in gains) + " |")
        lines.append("")

    lines += ["### Scrambling: test accuracy (%), mean ± standard deviation over seeds", "",
              "| position embedding | seeds | " + " | ".join(c if c == "unscrambled" else "shuffle " + c for c in grids) + " |",
              "|---|---:|" + "---:|" * len(grids)]
    for e in summary["kinds"]:
        lines.append(f"| {e['label']} | {len(e['seeds'])} | "
                     + " | ".join(fmt(e["scrambling"][c]["mean"], e["scrambling"][c]["std"]) for c in grids) + " |")

    def grid_of(z):
        return f"{z} px ({z // patch}×{z // patch})" + (" trained" if z == train_side else "")

    lines += ["", "### Resolution transfer: unscrambled test accuracy (%), mean ± standard deviation over seeds", "",
              "Positions extrapolated (`vit4j eval --image-size`): sin-cos and RoPE at the new grid's integer "
              "coordinates; a learned table resampled.", ""]
    lines += size_table(summary["kinds"], "resolution", sizes, grid_of)
    if interp:
        lines += ["", "Positions interpolated (`vit4j eval --image-size … --position-scaling interpolate`): sin-cos and "
                  "RoPE at coordinates scaled into the trained grid's range (timm's `ref_feat_shape`); a learned table "
                  "resampled as above.", ""]
        lines += size_table(interp, INTERP, sizes, grid_of)

    if "learned" in by_kind and len(by_kind["learned"]) > 1:
        ref = next(e for e in summary["kinds"] if e["name"] == "learned")
        cols = [(c if c == "unscrambled" else "shuffle " + c, c, (lambda c: lambda e: e["scrambling"][c])(c)) for c in grids]
        cols += [(f"{z} px", str(z), (lambda z: lambda e: e["resolution"][str(z)])(z)) for z in sizes if z != train_side]
        if all(INTERP in e for e in summary["kinds"]):
            cols += [(f"{z} px interp.", f"{z}-interpolated", (lambda z: lambda e: e[INTERP][str(z)])(z))
                     for z in sizes if z != train_side]
        lines += ["", "### Difference from `learned` (points): Δ mean ± its standard error "
                  "√(s₁²/n₁ + s₂²/n₂); ** where |Δ| > 2 standard errors (a rough guide with this few seeds, "
                  "not a significance test)", "",
                  "| position embedding | " + " | ".join(c[0] for c in cols) + " |",
                  "|---|" + "---:|" * len(cols)]
        summary["vs_learned"] = {}
        for e in summary["kinds"]:
            if e["name"] == "learned" or len(e["seeds"]) < 2:
                continue
            cells = []
            summary["vs_learned"][e["name"]] = {}
            for title, key, get in cols:
                a, b = get(e), get(ref)
                d = a["mean"] - b["mean"]
                se = float(np.sqrt(a["std"] ** 2 / len(a["runs"]) + b["std"] ** 2 / len(b["runs"])))
                sig = abs(d) > 2 * se
                summary["vs_learned"][e["name"]][key] = {"delta": d, "se": se, "exceeds_2se": bool(sig)}
                cells.append(f"{d:+.2f} ± {se:.2f}" + (" **" if sig else ""))
            lines.append(f"| {e['label']} | " + " | ".join(cells) + " |")

    others = [z for z in sizes if z != train_side]
    with_interp = any(INTERP in r for r in runs)
    lines += ["", "### Individual runs: test accuracy (%)", "",
              "| position embedding | seed | " + " | ".join(grids) + " | " + " | ".join(f"{z} px" for z in sizes)
              + "".join(f" | {z} px interp." for z in others if with_interp) + " |",
              "|---|---:|" + "---:|" * (len(grids) + len(sizes) + (len(others) if with_interp else 0))]
    for k in kinds:
        for r in by_kind[k]:
            g, s = accuracy_by_grid(r), accuracy_by_size(r)
            si = accuracy_by_size(r, INTERP) if INTERP in r else {}
            lines.append(f"| {LABEL.get(k, k)} | {r['seed']} | " + " | ".join(f"{g[c]:.2f}" for c in grids)
                         + " | " + " | ".join(f"{s[z]:.2f}" for z in sizes)
                         + "".join(f" | {si[z]:.2f}" if z in si else " | –" for z in others if with_interp) + " |")

    with open(os.path.join(out_dir, "tables.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    summary["budget"] = budget
    summary["hours"] = {"train_per_run": float(np.mean(train_s)) / 3600, "eval_per_run": float(np.mean(eval_s)) / 3600,
                        "all_runs": (sum(train_s) + sum(eval_s)) / 3600}
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    plot(summary, grids, sizes, train_side, patch, out_dir)
    if curves:
        plot_curves(curves, out_dir)
    if len(sys.argv) > 2:
        update_page(sys.argv[2], lines, sys.argv[3] if len(sys.argv) > 3 else "experiment-tables")
    print("\n".join(lines))


def update_page(path, lines, tag):
    begin, end = f"<!-- {tag}:begin -->", f"<!-- {tag}:end -->"
    with open(path) as f:
        text = f.read()
    if begin not in text or end not in text:
        sys.exit(f"aggregate.py: {path} has no {begin} ... {end} block")
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    with open(path, "w") as f:
        f.write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)


def plot(summary, grids, sizes, train_side, patch, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    interp = [e for e in summary["kinds"] if INTERP in e]
    size_label = f"evaluation image size in px (trained at {train_side}; patch grid = size/{patch})"
    figures = [("scrambling.png", [(grids, lambda e, x: e["scrambling"][x], summary["kinds"],
                                    f"shuffle grid ({train_side // patch}x{train_side // patch} = every patch)",
                                    "Patch scrambling vs position embedding")]),
               ("resolution.png", [(sizes, lambda e, x: e["resolution"][str(x)], summary["kinds"], size_label,
                                    "Resolution transfer" + (", positions extrapolated" if interp else ""))]
                + ([(sizes, lambda e, x: e[INTERP][str(x)], interp, size_label,
                     "Resolution transfer, positions interpolated")] if interp else []))]
    for name, panels in figures:
        fig, axes = plt.subplots(1, len(panels), figsize=(7.5 * len(panels), 4.8), squeeze=False, sharey=True)
        for ax, (xs, get, kinds, xlabel, title) in zip(axes[0], panels):
            n = len(kinds)
            for i, e in enumerate(kinds):
                off = (i - (n - 1) / 2) * 0.025  # spread the error bars so they do not hide each other
                m = [get(e, x)["mean"] for x in xs]
                sd = [0 if np.isnan(get(e, x)["std"]) else get(e, x)["std"] for x in xs]
                ax.errorbar(np.arange(len(xs)) + off, m, yerr=sd, marker="o", capsize=3,
                            label=f"{e['label']} (n={len(e['seeds'])})")
            ax.set_xticks(range(len(xs)), [str(x) for x in xs])
            ax.set_xlabel(xlabel)
            ax.set_ylabel("Fashion-MNIST test accuracy (%)")
            ax.set_title(title + " (mean ± std over seeds)")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, ncol=2)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, name), dpi=110)
        plt.close(fig)


def plot_curves(curves, out_dir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.figure(figsize=(7.5, 4.8))
    for c in curves:
        x, m = np.asarray(c["epochs"]), np.asarray(c["mean"])
        sd = np.nan_to_num(np.asarray(c["std"]))
        line, = plt.plot(x, m, marker=".", label=f"{c['label']} (n={len(c['runs'])})")
        plt.fill_between(x, m - sd, m + sd, color=line.get_color(), alpha=0.15)
    plt.xlabel("epoch")
    plt.ylabel("validation accuracy (%)")
    top = max(max(c["mean"]) for c in curves)
    plt.ylim(max(0, top - 25), min(100, top + 2))
    plt.title("Validation accuracy by epoch (mean ± std over seeds)")
    plt.grid(alpha=0.3)
    plt.legend(fontsize=7, ncol=2)
    plt.tight_layout()
    plt.savefig(os.path.join(out_dir, "curves.png"), dpi=110)
    plt.close()


if __name__ == "__main__":
    main()
