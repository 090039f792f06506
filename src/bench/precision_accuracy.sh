#!/usr/bin/env bash
# Test accuracy after the same training run in fp32 and in bf16 (compiled engine, same seed, data,
# recipe): bf16 matrix products with fp32 master weights and optimizer state should cost no
# accuracy. Trains both runs one after the other, evaluates each on the 10 000 Fashion-MNIST test
# images in fp32, and prints one JSON line per precision plus the difference; the runs stay in
# RUNS (resumable: an interrupted run continues with --resume, a finished one is evaluated again).
#
#   src/bench/precision_accuracy.sh [--epochs N] [--config VARIANT] [--threads T] [--runs DIR]
#
# e.g. src/bench/precision_accuracy.sh                          fashion-small, 6 epochs
#      src/bench/precision_accuracy.sh --epochs 1 --data fashion-mnist:2000   rehearsal
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS=6
CONFIG=fashion-small
THREADS=$(nproc)
RUNS=runs/precision-accuracy
DATA=fashion-mnist
while [ $# -gt 0 ]; do
  case "$1" in
    --epochs) EPOCHS="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    *) echo "precision_accuracy.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$RUNS"
for p in fp32 bf16; do
  dir="$RUNS/$CONFIG-$p-e$EPOCHS"
  if [ -f "$dir/metrics.jsonl" ] && [ "$(wc -l < "$dir/metrics.jsonl")" -ge "$EPOCHS" ]; then
    :
  elif [ -d "$dir/checkpoints/last" ]; then
    ./vit4j train --resume "$dir" --threads "$THREADS" >&2
  else
    ./vit4j train --data "$DATA" --config "$CONFIG" --engine compiled --precision "$p" --epochs "$EPOCHS" \
      --seed 42 --threads "$THREADS" --out "$dir" --force >&2
  fi
  acc=$(./vit4j eval --model "$dir" --data fashion-mnist:test --precision fp32 --threads "$THREADS" --format json)
  echo "{\"precision\": \"$p\", \"config\": \"$CONFIG\", \"epochs\": $EPOCHS, \"data\": \"$DATA\", \"eval\": $acc}"
done
