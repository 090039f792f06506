#!/usr/bin/env bash
# Spark benchmark: images/s of `./vit4j spark predict` in local[1] and local[2] against
# `./vit4j predict` on the same PNG files in the same run, Spark's start-up, and its per-task cost.
#
#   src/bench/spark_predict.sh [N] [ROUNDS] [threads1]
#       N: the first N Fashion-MNIST test images (default 10000); ROUNDS: default 2;
#       threads1: only the one-operator-thread configurations and local[2], and no fixed-cost runs.
#   (Debian's python3-numpy, python3-pil, dataset-fashion-mnist)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-10000}"
ROUNDS="${2:-2}"
ONLY_T1="${3:-}"
DIR="target/spark-bench/images-$N"
OUT="target/spark-bench/out"
if [ ! -d "$DIR" ]; then
  mkdir -p "$DIR"
  /usr/bin/python3 - "$DIR" "$N" <<'PY'
import gzip, sys
import numpy as np
from PIL import Image
d = gzip.open('/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz').read()
x = np.frombuffer(d, dtype=np.uint8, offset=16).reshape(-1, 28, 28)
for i in range(int(sys.argv[2])):
    Image.fromarray(x[i], 'L').save(f'{sys.argv[1]}/{i:05d}.png')
PY
fi
./vit4j --version >/dev/null && ./vit4j spark --version >/dev/null  # build first: no Maven in the timings
grep -o -w -E 'avx512f|avx512_bf16|avx2|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' '; echo "($(nproc) cores)"
uptime
rm -rf "$OUT"; mkdir -p "$OUT"
run() {  # label, command...: wall time, the load average before it, the command's last line
  local label="$1"; shift
  local t0 t1 line load
  load="$(cut -d' ' -f1 /proc/loadavg)"
  t0=$(date +%s.%N)
  line="$("$@" 2>/dev/null | tail -1 || true)"
  t1=$(date +%s.%N)
  printf '%-30s load %5s  wall %6.1f s  %s\n' "$label" "$load" "$(echo "$t1 - $t0" | bc)" "$line"
}
cli() {  # predict, then images/s over the whole process
  local t0 t1 n
  t0=$(date +%s.%N); n=$(./vit4j predict --quiet --batch-size 32 "$@" | wc -l); t1=$(date +%s.%N)
  echo "$((n - 1)) images, $(echo "scale=1; ($n - 1) / ($t1 - $t0)" | bc) images/s (whole process)"
}
for round in $(seq "$ROUNDS"); do  # alternating, so that all see the same load
  [ -z "$ONLY_T1" ] && run "predict (CLI)" cli "$DIR"
  run "predict (CLI) --threads 1" cli --threads 1 "$DIR"
  [ -z "$ONLY_T1" ] && run "spark local[1]" ./vit4j spark predict --master 'local[1]' --input "$DIR" --output "$OUT/l1-$round"
  run "spark local[1] --threads 1" ./vit4j spark predict --master 'local[1]' --threads 1 --input "$DIR" --output "$OUT/l1t1-$round"
  run "spark local[2]" ./vit4j spark predict --master 'local[2]' --input "$DIR" --output "$OUT/l2-$round"
  run "spark local[2] --threads 1" ./vit4j spark predict --master 'local[2]' --threads 1 --input "$DIR" --output "$OUT/l2t1-$round"
done
[ -n "$ONLY_T1" ] && exit 0
# fixed cost: one image (Spark session, engine and model start-up, one task) against predict's
run "spark local[1], 1 image" ./vit4j spark predict --master 'local[1]' --input "$DIR/00000.png" --output "$OUT/one"
run "predict (CLI), 1 image" cli "$DIR/00000.png"
# Spark's cost per task: the same files in 200 tasks (the summary gives the median per task)
run "spark local[1], 200 tasks" ./vit4j spark predict --master 'local[1]' --threads 1 --partitions 200 --input "$DIR" --output "$OUT/p200"
