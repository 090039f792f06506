#!/usr/bin/env bash
# Preprocessing time per image split into decode and the rest (resize 256, crop 224, normalize),
# vit4j and Pillow + torchvision, one thread each, on the benchmark's JPEG photos of one size.
#   src/bench/probe/preprocess_breakdown.sh [640x427|1280x853] [SECONDS]
#     (after run_benchmarks.sh has written target/bench-images/ and ./vit4j has built target/vit4j.jar)
set -euo pipefail
cd "$(dirname "$0")/../../.."
SIZE="${1:-640x427}"; S="${2:-3}"
FILES=(target/bench-images/*-"$SIZE".jpg)
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
java -Dai.djl.offline=true -cp "target/vit4j.jar:target/lib/*" src/bench/probe/PreprocessBreakdown.java "$S" "${FILES[@]}"
/usr/bin/python3 - "$S" "${FILES[@]}" <<'PY'
import statistics, sys, time
import torch
from PIL import Image
from torchvision import transforms as T
torch.set_num_threads(1)
rest = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                  T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
secs, files = float(sys.argv[1]), sys.argv[2:]
dec, oth = [], []
for rnd in range(6):
    td = tr = 0.0; n = 0; end = time.perf_counter() + secs
    while time.perf_counter() < end:
        for f in files:
            t0 = time.perf_counter(); im = Image.open(f).convert("RGB"); t1 = time.perf_counter()
            x = rest(im); t2 = time.perf_counter()
            td += t1 - t0; tr += t2 - t1; n += 1
    if rnd:
        dec.append(1e3 * td / n); oth.append(1e3 * tr / n)
print("Pillow  decode %.2f ms, resize+crop+normalize %.2f ms per image" % (statistics.median(dec), statistics.median(oth)))
PY
