"""timm's eager ViT-B/16 at 224 on the GPU, images/s: the peer of GpuCheck's timing.

The same four settings as vit4j's: fp32 and bf16, batch 1 and 128. bf16 is torch.autocast, as vit4j's
bf16 (matrix products and attention in bfloat16, LayerNorm and the residual stream in float32).
Random weights (pretrained=False: no network) and standard-normal inputs; everything under
torch.inference_mode(). Writes a JSON list of rows like GpuCheck's "time" rows.

    python src/gpu/timm_speed.py --seconds 5 --out time-timm.json [--device cuda]
"""
import argparse
import contextlib
import json
import time

import timm
import torch


def images_per_second(model, x, precision, seconds, device):
    amp = (torch.autocast(device_type=device, dtype=torch.bfloat16) if precision == "bf16"
           else contextlib.nullcontext())
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    with torch.inference_mode(), amp:
        for _ in range(5):
            model(x)
        sync()
        start, n = time.perf_counter(), 0
        while time.perf_counter() - start < seconds:
            model(x)
            sync()
            n += x.shape[0]
        return n / (time.perf_counter() - start), time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--out", required=True)
    p.add_argument("--device", default="cuda")
    p.add_argument("--batches", default="1,128")
    a = p.parse_args()
    torch.manual_seed(0)
    model = timm.create_model("vit_base_patch16_224", pretrained=False).to(a.device).eval()
    rows = []
    for precision in ("fp32", "bf16"):
        for batch in (int(b) for b in a.batches.split(",")):
            x = torch.randn(batch, 3, 224, 224, device=a.device)
            ips, secs = images_per_second(model, x, precision, a.seconds, a.device)
            row = {"model": "vit_b16_224", "engine": "timm eager", "precision": precision, "batch": batch,
                   "images_per_second": ips, "timed_seconds": secs}
            print(row, flush=True)
            rows.append(row)
    meta = {"torch": torch.__version__, "timm": timm.__version__, "device": a.device,
            "gpu": torch.cuda.get_device_name(0) if a.device == "cuda" else None}
    with open(a.out, "w") as f:
        json.dump({"environment": meta, "time": rows}, f, indent=2)


if __name__ == "__main__":
    main()
