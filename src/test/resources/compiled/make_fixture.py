#!/usr/bin/env python3
"""The TorchScript archive layout that TorchScriptArchiveTest compares vit4j's writer with.

    /usr/bin/python3 src/test/resources/compiled/make_fixture.py

Uses Debian's python3-torch 1.13. Saves a scripted module with one attribute of every kind the
writer supports (bool, None, int of one byte and of four, float, empty List[Tensor]) and keeps its
data.pkl, constants.pkl and version as fixture files (the .debug_pkl is not needed to load).
"""
import io
import os
import zipfile
from typing import List

import torch


class Probe(torch.nn.Module):
    small: int
    large: int
    eps: float
    flag: bool
    weights: List[torch.Tensor]

    def __init__(self):
        super().__init__()
        self.small = 3
        self.large = -70000
        self.eps = 1e-6
        self.flag = True
        self.weights = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.small


HERE = os.path.dirname(os.path.abspath(__file__))
buf = io.BytesIO()
torch.jit.save(torch.jit.script(Probe()), buf)
with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
    names = sorted(z.namelist())
    print("\n".join(names))
    for name in ("data.pkl", "constants.pkl", "version"):
        with open(os.path.join(HERE, "probe_" + name), "wb") as f:
            f.write(z.read("archive/" + name))
    with open(os.path.join(HERE, "probe_code.py"), "wb") as f:
        f.write(z.read("archive/code/__torch__.py"))
