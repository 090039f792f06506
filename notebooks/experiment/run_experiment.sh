#!/usr/bin/env bash
# The scrambling experiment: train four fashion-small models that differ only in the position
# embedding (and one with scrambling as augmentation), evaluate each on the Fashion-MNIST test set
# unscrambled and scrambled at shuffle grids 2x2, 4x4 and 8x8 (8x8 = every 16-px patch of the
# 128-px input), and plot accuracy against shuffle grid.
#
#   notebooks/experiment/run_experiment.sh [RUNS_DIR]      (about 1 hour on 2 CPU cores)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-$ROOT/runs/experiment}"
HERE="$ROOT/notebooks/experiment"
V="$ROOT/vit4j"
COMMON=(--data fashion-mnist --config fashion-small --epochs 4 --seed 42)
train() { # name pos-emb [extra...]
  local name="$1" pe="$2"; shift 2
  if [ ! -f "$RUNS/$name/metrics.jsonl" ] || [ "$(wc -l < "$RUNS/$name/metrics.jsonl")" -lt 4 ]; then
    local resume=(); [ -f "$RUNS/$name/checkpoints/last" ] && resume=(--resume)
    "$V" train "${COMMON[@]}" --pos-emb "$pe" "$@" --out "$RUNS/$name" "${resume[@]}"
  fi
}
train none none
train sincos2d-mae sincos2d-mae
train learned learned
train learned-scramble-aug learned --scramble-prob 0.5
mkdir -p "$HERE/results"
for name in none sincos2d-mae learned learned-scramble-aug; do
  "$V" eval --quiet --model "$RUNS/$name" --data fashion-mnist:test --scramble-grid 2x2,4x4,8x8 --seed 0 \
    --format json > "$HERE/results/$name.json"
  cp "$RUNS/$name/metrics.jsonl" "$HERE/results/$name.metrics.jsonl"
  mkdir -p "$HERE/results/train-options" && cp "$RUNS/$name/train.json" "$HERE/results/train-options/$name.json"
done
# the no-position-embedding model is small (0.8 MB): notebook 03 uses it
mkdir -p "$HERE/models/none"
cp "$RUNS/none/"{config.json,labels.txt,model.safetensors,checksums.sha256,serving.properties} "$HERE/models/none/"
/usr/bin/python3 "$HERE/plot_scrambling.py" "$HERE/results" "$HERE/scrambling.png" > "$HERE/results/table.md"
cat "$HERE/results/table.md"
