#!/usr/bin/env python3
"""Writes the sample images: the first Fashion-MNIST test image of each class as a 28x28 grey
PNG (from Debian's dataset-fashion-mnist), and three photographs from scikit-image's data
(Debian's python3-skimage), whose licences are in LICENSES.md.

Run with Debian's python: /usr/bin/python3 sample-images/make_samples.py
"""
import gzip
import os
import shutil

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
FMNIST = "/usr/share/datasets/fashion-mnist"
LABELS = ["tshirt-top", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


images = idx(os.path.join(FMNIST, "t10k-images-idx3-ubyte.gz"))
labels = idx(os.path.join(FMNIST, "t10k-labels-idx1-ubyte.gz"))
for c, name in enumerate(LABELS):
    i = int(np.argmax(labels == c))
    Image.fromarray(images[i], mode="L").save(os.path.join(HERE, f"fashion-{c}-{name}-test{i}.png"))

import skimage.data  # noqa: E402  (only needed for the photographs)

src = os.path.dirname(skimage.data.__file__)
for name, out in [("chelsea.png", "photo-cat-chelsea.png"), ("coffee.png", "photo-coffee.png"),
                  ("astronaut.png", "photo-astronaut.png")]:
    img = Image.open(os.path.join(src, name)).convert("RGB")
    img.save(os.path.join(HERE, out.replace(".png", ".jpg")), quality=90)
