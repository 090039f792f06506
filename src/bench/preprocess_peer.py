#!/usr/bin/env python3
"""Peer of org.vit4j.bench.peers.PreprocessBench: Pillow + torchvision transforms on the same JPEG files.

    /usr/bin/python3 src/bench/preprocess_peer.py [--seconds T] [--rounds R] [--processes P]
        [--dump FILE OUT.npy] NAME=FILE,FILE,... [NAME=...]

Per image: Image.open(path).convert("RGB") (decode), Resize(256) + CenterCrop(224) (bilinear, as
torchvision's ViT evaluation transform), ToTensor, Normalize(ImageNet mean/std), then patchify with
unfold to tokens (1, 196, 768), in (c, y, x) order within a patch as vit4j's Patchify.
torch.set_num_threads(1): one thread per process.

For each set: R rounds, each round preprocessing the set's files in turn for T seconds (after one
warm-up round); the result is the median of the rounds' images/s. With --processes P > 1, P
processes run the same loop at once and a round's rate is the sum of theirs (the all-cores figure).
Prints one JSON object per set on stdout:
    {"set": NAME, "images_per_s": ..., "rounds": [...], "processes": P, "threads_per_process": 1}
--dump writes the tokens of FILE to OUT.npy (float32, (1, 196, 768)) for the launcher's sanity check.

Uses Debian's python3-pil, python3-torch 1.13 and python3-torchvision 0.14.
"""
import argparse
import json
import multiprocessing as mp
import statistics
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T

SIZE, PATCH = 224, 16

TRANSFORM = T.Compose([
    T.Resize(256, interpolation=T.InterpolationMode.BILINEAR),
    T.CenterCrop(SIZE),
    T.ToTensor(),
    T.Normalize(mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225)),
])


def tokens(path):
    with Image.open(path) as im:
        x = TRANSFORM(im.convert("RGB")).unsqueeze(0)  # (1, C, H, W)
    b, c = x.shape[:2]
    t = x.unfold(2, PATCH, PATCH).unfold(3, PATCH, PATCH)  # (1, C, R, Q, P, P)
    return t.permute(0, 2, 3, 1, 4, 5).reshape(b, -1, c * PATCH * PATCH).contiguous()  # (1, N, C*P*P)


def run_for(files, seconds):
    """Images preprocessed in `seconds`, cycling through `files`; returns (count, elapsed)."""
    n, i = 0, 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while True:
        tokens(files[i])
        n += 1
        i = (i + 1) % len(files)
        now = time.perf_counter()
        if now >= end:
            return n, now - t0


def worker(args):
    files, seconds, start_at = args
    torch.set_num_threads(1)
    run_for(files, min(seconds, 1.0))  # warm-up
    while time.time() < start_at:  # start the timed window together with the other processes
        time.sleep(0.001)
    return run_for(files, seconds)


def measure(files, seconds, rounds, processes):
    rates = []
    run_for(files, min(seconds, 1.0))  # warm-up
    pool = mp.get_context("fork").Pool(processes) if processes > 1 else None
    try:
        for _ in range(rounds):
            if pool is None:
                n, dt = run_for(files, seconds)
                rates.append(n / dt)
            else:
                start_at = time.time() + 1.5
                results = pool.map(worker, [(files, seconds, start_at)] * processes)
                rates.append(sum(n / dt for n, dt in results))
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return rates


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--dump", nargs=2, metavar=("FILE", "OUT"))
    ap.add_argument("sets", nargs="*", metavar="NAME=FILE,FILE,...")
    a = ap.parse_args()
    torch.set_num_threads(1)
    if a.dump:
        np.save(a.dump[1], tokens(a.dump[0]).numpy().astype(np.float32))
    for spec in a.sets:
        name, _, paths = spec.partition("=")
        files = [p for p in paths.split(",") if p]
        if not files:
            ap.error(f"set '{name}' has no files")
        rates = measure(files, a.seconds, a.rounds, a.processes)
        print(json.dumps({
            "set": name, "images_per_s": statistics.median(rates), "rounds": rates,
            "processes": a.processes, "threads_per_process": 1, "files": len(files),
            "torch": torch.__version__, "torchvision": torchvision.__version__,
            "pillow": Image.__version__}), flush=True)


if __name__ == "__main__":
    main()
