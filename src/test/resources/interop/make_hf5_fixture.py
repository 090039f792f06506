#!/usr/bin/env python3
"""hf5.safetensors: hf.safetensors (see make_fixtures.py) with the tensor names Hugging Face
transformers 5.x gives ViTForImageClassification (its ViT refactor, transformers PR #41693):

    vit.encoder.layer.N.attention.attention.{query,key,value}.*  ->  vit.layers.N.attention.{q,k,v}_proj.*
    vit.encoder.layer.N.attention.output.dense.*                 ->  vit.layers.N.attention.o_proj.*
    vit.encoder.layer.N.intermediate.dense.*                     ->  vit.layers.N.mlp.fc1.*
    vit.encoder.layer.N.output.dense.*                           ->  vit.layers.N.mlp.fc2.*
    vit.encoder.layer.N.layernorm_{before,after}.*               ->  vit.layers.N.layernorm_{before,after}.*

embeddings, the final layernorm and the classifier keep their names. The same numbers, so the
logits are hf_logits_*.npy. Tensor data are copied byte for byte; run from this directory:
    /usr/bin/python3 make_hf5_fixture.py
"""
import json
import re
import struct

RULES = [
    (r"encoder\.layer\.(\d+)\.attention\.attention\.query\.", r"layers.\1.attention.q_proj."),
    (r"encoder\.layer\.(\d+)\.attention\.attention\.key\.", r"layers.\1.attention.k_proj."),
    (r"encoder\.layer\.(\d+)\.attention\.attention\.value\.", r"layers.\1.attention.v_proj."),
    (r"encoder\.layer\.(\d+)\.attention\.output\.dense\.", r"layers.\1.attention.o_proj."),
    (r"encoder\.layer\.(\d+)\.intermediate\.dense\.", r"layers.\1.mlp.fc1."),
    (r"encoder\.layer\.(\d+)\.output\.dense\.", r"layers.\1.mlp.fc2."),
    (r"encoder\.layer\.(\d+)\.", r"layers.\1."),
]


def rename(name):
    for pattern, to in RULES:
        new, n = re.subn(pattern, to, name)
        if n:
            return new
    return name


def main():
    with open("hf.safetensors", "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {rename(k): v for k, v in header.items()}
    text = json.dumps(out, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open("hf5.safetensors", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        f.write(data)
    print(sorted(out)[:6], "...")


if __name__ == "__main__":
    main()
