#!/usr/bin/env python3
"""Peers for the forward benchmarks: one torchvision ViT-Ti/16 with seeded random weights,
exported three ways, plus a check input and its logits.

    /usr/bin/python3 src/bench/export_peers.py [OUT_DIR] [ti16|b16]     (defaults: target/bench-peers, ti16)

b16 writes the same files for ViT-B/16 (12 layers, 12 heads, width 768, MLP 3072) as vit_b16.*,
check_input_b16.npy, check_logits_b16.npy and peers_b16.json.

Uses Debian's interpreter (python3-torch 1.13, python3-torchvision 0.14, python3-numpy). Neither
the onnx nor the safetensors Python package is needed: torch.onnx.export writes the protobuf
itself, and the safetensors format is written by hand (as src/test/resources/interop/make_fixtures.py).

Writes into OUT_DIR:
  vit_ti16.safetensors   torchvision state_dict, F32 (vit4j imports it: source torchvision, heads 3)
  vit_ti16.onnx          torch.onnx.export, opset 17 when this torch supports it, dynamic batch axis
  vit_ti16.pt            torch.jit.trace(model, (1, 3, 224, 224)).save (DJL's TorchScript peer)
  check_input.npy        (2, 3, 224, 224) float32, N(0, 1), seed 11
  check_logits.npy       (2, 1000) float32, model(check_input) in eager mode
  peers.json             what was written, with versions and the check of each export against eager
"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch
import torchvision

SEED = 0
IMAGE, PATCH, CLASSES = 224, 16, 1000
VARIANTS = {  # name: (layers, heads, width, mlp)
    "ti16": (12, 3, 192, 768),
    "b16": (12, 12, 768, 3072),
}


def save_safetensors(path, tensors):
    """safetensors by hand: u64 little-endian header length, JSON header (space-padded to 8), raw F32 data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def randomize(model, seed):
    """Seeded non-trivial values (as make_fixtures.py): weights ~ N(0, 1/fan_in), biases ~ N(0, 0.02^2),
    LayerNorm scales ~ 1 + N(0, 0.1^2), class token and positions ~ N(0, 0.02^2). Small enough that the
    12-layer activations stay in a range where fp32 results of different kernels agree to ~1e-5."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            r = torch.randn(p.shape, generator=g)
            leaf = name.split(".")[-1]
            is_norm = "ln" in name
            if p.dim() == 1 and is_norm and leaf == "weight":
                p.copy_(1 + 0.1 * r)
            elif p.dim() == 1:
                p.copy_(0.02 * r)
            elif "token" in name or "pos" in name:
                p.copy_(0.02 * r)
            else:
                p.copy_(r / math.sqrt(p[0].numel()))


def onnx_opset():
    """17 where torch.onnx knows it (1.13 does), else the newest it has."""
    try:
        from torch.onnx import _constants
        return min(17, _constants.ONNX_MAX_OPSET)
    except (ImportError, AttributeError):
        return 16


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join("target", "bench-peers")
    variant = sys.argv[2] if len(sys.argv) > 2 else "ti16"
    LAYERS, HEADS, WIDTH, MLP = VARIANTS[variant]
    suffix = "" if variant == "ti16" else "_" + variant  # ti16 keeps the original, unsuffixed file names
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(SEED)
    model = torchvision.models.VisionTransformer(
        image_size=IMAGE, patch_size=PATCH, num_layers=LAYERS, num_heads=HEADS,
        hidden_dim=WIDTH, mlp_dim=MLP, num_classes=CLASSES)
    randomize(model, SEED)
    model.eval()

    x = torch.randn((2, 3, IMAGE, IMAGE), generator=torch.Generator().manual_seed(11))
    with torch.no_grad():
        logits = model(x)
    np.save(os.path.join(out, "check_input" + suffix + ".npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(out, "check_logits" + suffix + ".npy"), logits.numpy().astype(np.float32))

    save_safetensors(os.path.join(out, "vit_" + variant + ".safetensors"), model.state_dict())

    example = torch.randn((1, 3, IMAGE, IMAGE), generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        traced = torch.jit.trace(model, example, check_trace=False)
        traced.save(os.path.join(out, "vit_" + variant + ".pt"))
        # the trace must generalize over the batch axis: it is traced at B=1 and checked at B=2
        trace_diff = float((torch.jit.load(os.path.join(out, "vit_" + variant + ".pt"))(x) - logits).abs().max())

    opset = onnx_opset()
    onnx_path = os.path.join(out, "vit_" + variant + ".onnx")
    # with autograd on: under no_grad torch 1.13 takes nn.MultiheadAttention's fast path for an even
    # number of heads (ViT-B), whose fused operator has no ONNX export
    with torch.enable_grad():
        torch.onnx.export(
            model, example, onnx_path, opset_version=opset, do_constant_folding=True,
            input_names=["images"], output_names=["logits"],
            dynamic_axes={"images": {0: "batch"}, "logits": {0: "batch"}})

    info = {
        "model": "torchvision.models.VisionTransformer " + variant,
        "args": dict(image_size=IMAGE, patch_size=PATCH, num_layers=LAYERS, num_heads=HEADS,
                     hidden_dim=WIDTH, mlp_dim=MLP, num_classes=CLASSES),
        "seed": SEED, "torch": torch.__version__, "torchvision": torchvision.__version__,
        "onnx_opset": opset, "torchscript_max_abs_diff_b2": trace_diff,
        "logits_abs_max": float(logits.abs().max()),
        "files": sorted(os.listdir(out)),
    }
    with open(os.path.join(out, "peers" + suffix + ".json"), "w") as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info))
    if trace_diff > 1e-4:
        sys.exit(f"TorchScript trace differs from eager at batch 2 by {trace_diff}")


if __name__ == "__main__":
    main()
