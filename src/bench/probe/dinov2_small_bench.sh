#!/usr/bin/env bash
# A DINOv2-S-shaped model (4 registers, LayerScale; width 384, depth 12, 6 heads, 224 px, patch 16)
# against plain ViT-S/16 (`--variant small`), both compiled, random weights, alternating in turns.
#   src/bench/probe/dinov2_small_bench.sh [SECONDS] [ROUNDS] [BATCHES] [extra bench options...]
#   e.g. src/bench/probe/dinov2_small_bench.sh 20 3 "1 32"       (on an idle machine)
#        src/bench/probe/dinov2_small_bench.sh 1 1 1             (a rehearsal)
#        src/bench/probe/dinov2_small_bench.sh 20 3 "1 32" --precision bf16
# The model directory is written once (target/bench-models/dinov2-small-p16); delete it to rewrite it.
set -euo pipefail
cd "$(dirname "$0")/../../.."
SECONDS_PER_RUN="${1:-20}"
ROUNDS="${2:-3}"
BATCHES="${3:-1 32}"
shift $(( $# < 3 ? $# : 3 ))
./vit4j --version >/dev/null # builds target/vit4j.jar and target/lib when sources changed
MODEL=target/bench-models/dinov2-small-p16
if [ ! -f "$MODEL/config.json" ]; then
  export DJL_OFFLINE=true OPT_OUT_TRACKING=true
  java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "target/vit4j.jar:target/lib/*" \
    src/bench/probe/Dinov2SmallModel.java "$MODEL" 2>&1 | grep -v "Warning: AutoNonVariableTypeMode"
fi
for b in $BATCHES; do
  for r in $(seq "$ROUNDS"); do
    ./vit4j bench --variant small --batch-size "$b" --seconds "$SECONDS_PER_RUN" "$@"
    ./vit4j bench --model "$MODEL" --batch-size "$b" --seconds "$SECONDS_PER_RUN" "$@"
  done
done
