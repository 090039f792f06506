#!/usr/bin/env bash
# End-to-end benchmark: `vit4j predict` over a directory of 1 000 images (the first 1 000
# Fashion-MNIST test images as PNG), images/s and peak RSS of the whole process; then the cold
# start of a one-image predict, as the whole process's wall time.
#
#   src/bench/e2e_predict.sh [DIR]      (Debian's python3-numpy, python3-pil, dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
DIR="${1:-target/e2e-images}"
mkdir -p "$DIR"
/usr/bin/python3 - "$DIR" <<'PY'
import gzip, sys
import numpy as np
from PIL import Image
d = gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()
x = np.frombuffer(d, dtype=np.uint8, offset=16).reshape(-1, 28, 28)
for i in range(1000):
    Image.fromarray(x[i], 'L').save(f'{sys.argv[1]}/{i:04d}.png')
PY
./vit4j --version >/dev/null  # build first, so the timings below do not include Maven
for run in 1 2 3; do
  /usr/bin/time -f "predict 1000 images: %e s wall, %M KB peak RSS" ./vit4j predict --quiet --batch-size 32 "$DIR" > /dev/null
done
for run in 1 2 3; do
  /usr/bin/time -f "predict 1 image: %e s wall, %M KB peak RSS" ./vit4j predict sample-images/fashion-0-tshirt-top-test19.png > /dev/null
done
