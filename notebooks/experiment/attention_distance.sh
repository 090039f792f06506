#!/usr/bin/env bash
# Where the heads look, for every position-embedding kind of the experiment: the mean attention
# distance of each layer and head (in patches, patch-to-patch attention, as the ViT paper's figure 7)
# of the seed-1 model of each kind (notebooks/experiment/models/KIND, kept by run_experiment.sh),
# over the Fashion-MNIST test images, unscrambled and with every image's 16-px patches shuffled
# (8x8 grid), through `vit4j attention --distance`. Then aggregate_attention.py draws the figure and
# writes the table into docs/experiment.md.
#
#   notebooks/experiment/attention_distance.sh            (every kind under models/)
#   TEST_SIZE=1000 notebooks/experiment/attention_distance.sh
#
# Writes RESULTS/attention/KIND.json ({"kind", "unscrambled": ..., "scrambled": ...}, each the
# command's JSON line); a kind whose file exists is skipped. Environment: TEST_SIZE (default: all
# 10 000 test images), RESULTS (default: notebooks/experiment/results), THREADS (default: the
# engine's).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$ROOT/notebooks/experiment"
RESULTS="${RESULTS:-$HERE/results}"
OUT="$RESULTS/attention"
V="$ROOT/vit4j"
DATA="fashion-mnist:test${TEST_SIZE:+:$TEST_SIZE}"
common=(--quiet)
[ -n "${THREADS:-}" ] && common+=(--threads "$THREADS")
mkdir -p "$OUT"
for model in "$HERE"/models/*/; do
  kind="$(basename "$model")"
  result="$OUT/$kind.json"
  if [ -f "$result" ]; then
    echo "$kind: $result exists, skipped" >&2
    continue
  fi
  echo "$kind: attention distance over $DATA" >&2
  plain="$("$V" attention "${common[@]}" --distance --model "$model" --data "$DATA")"
  scrambled="$("$V" attention "${common[@]}" --distance --model "$model" --data "$DATA" --scramble --scramble-grid 8x8)"
  /usr/bin/python3 - "$kind" "$result" "$plain" "$scrambled" <<'PY'
import json, os, sys
kind, out, plain, scrambled = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump({"kind": kind, "unscrambled": plain, "scrambled": scrambled}, f, indent=1)
os.replace(tmp, out)
PY
done
/usr/bin/python3 "$HERE/aggregate_attention.py" "$RESULTS" "$ROOT/docs/experiment.md"
