#!/usr/bin/env bash
# What RoPE costs the compiled forward: the same variant with a learned table, RoPE axial and RoPE
# mixed (`vit4j bench --variant V --pos-emb KIND`, random weights), in turns (learned, axial, mixed,
# then the reverse order, ROUNDS times), so each RoPE kind's rate is compared with the learned
# table's measured beside it. One line per measurement: round, variant, batch, precision, kind, images/s.
#   src/bench/probe/rope_cost.sh [SECONDS] [ROUNDS] [CONFIGS]
#   e.g. src/bench/probe/rope_cost.sh 5 2                   (on an idle machine)
#        src/bench/probe/rope_cost.sh 1 1 "micro:1:fp32"    (a rehearsal)
# CONFIGS: VARIANT:BATCH:PRECISION ... (default: fashion-small at 128 and small at 32, fp32 and bf16)
set -euo pipefail
cd "$(dirname "$0")/../../.."
SECONDS_PER_RUN="${1:-5}"
ROUNDS="${2:-2}"
CONFIGS="${3:-fashion-small:128:bf16 fashion-small:128:fp32 small:32:bf16 small:32:fp32}"
./vit4j --version >/dev/null # builds target/vit4j.jar and target/lib when sources changed
for r in $(seq "$ROUNDS"); do
  for c in $CONFIGS; do
    IFS=: read -r variant batch precision <<< "$c"
    for kind in learned rope-axial rope-mixed rope-mixed rope-axial learned; do
      ips=$(./vit4j bench --quiet --variant "$variant" --pos-emb "$kind" --batch-size "$batch" --precision "$precision" \
        --seconds "$SECONDS_PER_RUN" --format json | /usr/bin/python3 -c 'import json, sys; print(round(json.load(sys.stdin)["images_per_s"], 1))')
      echo "$r $variant $batch $precision $kind $ips"
    done
  done
done
