#!/usr/bin/env bash
# The position-embedding experiment: one fashion-small model per position-embedding kind and seed,
# all with the same recipe and data, each evaluated on the Fashion-MNIST test set
#   - at the training size (128 px, an 8x8 patch grid), unscrambled and with every image's blocks
#     shuffled on the grids 2x2, 4x4 and 8x8 (8x8 = every 16-px patch);
#   - at other sizes (96, 160, 192 px = 6x6, 10x10, 12x12 grids), unscrambled: each position
#     embedding follows the new grid its own way (sin-cos and RoPE recomputed, learned tables
#     resampled as timm does; `vit4j eval --image-size`).
#   - at those sizes again with the positions interpolated (`eval --position-scaling interpolate`:
#     sin-cos and RoPE coordinates scaled into the trained 8x8 grid's range, as timm's
#     ref_feat_shape does; the learned table is resampled either way).
# Everything goes through `./vit4j train` and `./vit4j eval`. Each finished run leaves one file
# RESULTS/runs/NAME-seedS.json (its training options, metrics and every evaluation); a run whose
# file exists is skipped, an interrupted one continues from its last checkpoint (`train --resume`).
# Then aggregate.py turns the files into RESULTS/tables.md, summary.json and the two plots, every kind's
# seed-1 model is kept under notebooks/experiment/models/KIND, and attention_distance.sh measures
# where each of them looks (RESULTS/attention/, attention-distance.png).
#
#   notebooks/experiment/run_experiment.sh [RUNS_DIR]     (default RUNS_DIR: runs/experiment)
#
# The budget is set by environment variables; the defaults are the full recipe:
#   KINDS       names of the runs, from the list below      (default: all nine)
#   SEEDS       seeds; each sets initialisation and data order (default: "1 2 3")
#   EPOCHS      passes over the training images             (default: 30)
#   LR          peak learning rate (AdamW, cosine decay)    (default: 0.002)
#   WARMUP      warm-up epochs                              (default: vit4j's, a tenth of EPOCHS at most 2)
#   CROP        RandomResizedCrop minimum area, 0 = no crops (default: 0)
#   PRECISION   matrix products of the compiled step, fp32 or bf16 (default: bf16)
#   TRAIN_SIZE  train on the first N training images         (default: all 60 000)
#   TEST_SIZE   evaluate on the first N test images          (default: all 10 000)
#   VAL_SIZE    training images held out to pick the best epoch; 0 = keep the last epoch and
#               train every seed on the same images          (default: vit4j's, 5000)
#   BATCH_SIZE  images per step                              (default: vit4j's, 128)
#   CONFIG      model variant or config.json                 (default: fashion-small)
#   SIZES       evaluation sizes for resolution transfer     (default: "96 160 192")
#   JOBS        runs at a time, each with THREADS threads    (default: the number of cores)
#   THREADS     threads per run                              (default: 1; on 2 cores two one-thread
#               runs train 1.6x the images per second of one two-thread run: BENCHMARKS.md, batch shards)
#   RESULTS     where the results go                         (default: notebooks/experiment/results)
#   KEEP_MODELS 1: keep the seed-1 models under notebooks/experiment/models also when RESULTS is not
#               the default (default: only then)
#   EVAL_ONLY   1: train nothing; only add the evaluations a finished run's file lacks (those added
#               to the script after it ran, e.g. resolution_interpolated), beside a running experiment
# Changing the budget of an existing RUNS_DIR is refused by `train --resume` where it would
# change a run; use a new RUNS_DIR (and a clean results/runs) for another budget.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
RUNS="${1:-$ROOT/runs/experiment}"
HERE="$ROOT/notebooks/experiment"
RESULTS="${RESULTS:-$HERE/results}"
OUT="$RESULTS/runs"
V="$ROOT/vit4j"
ALL_KINDS="none learned sincos1d sincos2d-mae sincos2d-bigvision rope-axial rope-mixed rope-mixed+learned learned-scramble-aug"
KINDS="${KINDS:-$ALL_KINDS}"
SEEDS="${SEEDS:-1 2 3}"
EPOCHS="${EPOCHS:-30}"
CROP="${CROP:-0}"
PRECISION="${PRECISION:-bf16}"
CONFIG="${CONFIG:-fashion-small}"
SIZES="${SIZES:-96 160 192}"
JOBS="${JOBS:-$(nproc)}"
export RUNS HERE OUT V EPOCHS CONFIG SIZES CROP PRECISION EVAL_ONLY="${EVAL_ONLY:-0}"
export LR="${LR:-0.002}" WARMUP="${WARMUP:-}"
export TRAIN_SIZE="${TRAIN_SIZE:-}" TEST_SIZE="${TEST_SIZE:-}" VAL_SIZE="${VAL_SIZE:-}"
export BATCH_SIZE="${BATCH_SIZE:-}" THREADS="${THREADS:-1}"
mkdir -p "$RUNS" "$OUT"

# the interpolated-positions evaluation of a run directory (its eval-sizes-interpolated.json)
eval_interpolated() {
  local dir="$1"
  "$V" eval --quiet ${THREADS:+--threads "$THREADS"} --model "$dir" --data "fashion-mnist:test${TEST_SIZE:+:$TEST_SIZE}" \
    --image-size "$(echo $SIZES | tr ' ' ',')" --position-scaling interpolate --precision fp32 --format json \
    > "$dir/eval-sizes-interpolated.json"
}
export -f eval_interpolated

# a finished run's file without the interpolated evaluation (written before the script made it): add it
add_interpolated() {
  local id="$1" dir="$2" result="$3"
  /usr/bin/python3 -c 'import json, sys; sys.exit(0 if "resolution_interpolated" in json.load(open(sys.argv[1])) else 1)' \
    "$result" && return 0
  [ -f "$dir/model.safetensors" ] || { echo "$id: no run directory $dir to evaluate" >&2; return 0; }
  echo "$id: adding the interpolated-positions evaluation" >&2
  eval_interpolated "$dir"
  /usr/bin/python3 - "$dir" "$result" <<'PY'
import json, os, sys
d, out = sys.argv[1], sys.argv[2]
r = json.load(open(out))
e = json.load(open(os.path.join(d, "eval-sizes-interpolated.json")))
for x in e["results"]:
    x.pop("confusion", None)
r["resolution_interpolated"] = e
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(r, f, indent=1)
os.replace(tmp, out)
PY
}
export -f add_interpolated

# one run: NAME SEED (NAME is a kind of the list above)
run_one() {
  local name="$1" seed="$2"
  local id="$name-seed$seed" dir="$RUNS/$1-seed$2"
  local result="$OUT/$id.json"
  if [ -f "$result" ]; then
    add_interpolated "$id" "$dir" "$result"
    return 0
  fi
  [ "${EVAL_ONLY:-0}" = 1 ] && return 0
  local posemb=(--pos-emb "$name") budget=() common=(--quiet)
  case "$name" in
    learned-scramble-aug) posemb=(--pos-emb learned --scramble-prob 0.5) ;;
  esac
  [ -n "$BATCH_SIZE" ] && budget+=(--batch-size "$BATCH_SIZE")
  [ -n "$VAL_SIZE" ] && budget+=(--val-size "$VAL_SIZE")
  [ -n "$LR" ] && budget+=(--lr "$LR")
  [ -n "$WARMUP" ] && budget+=(--warmup "$WARMUP")
  [ -n "$THREADS" ] && common+=(--threads "$THREADS")
  local train_data="fashion-mnist${TRAIN_SIZE:+:$TRAIN_SIZE}" test_data="fashion-mnist:test${TEST_SIZE:+:$TEST_SIZE}"
  local t0=$SECONDS
  if [ -e "$dir/checkpoints/last" ]; then
    echo "$id: resuming $dir" >&2
    "$V" train "${common[@]}" --resume "$dir" > /dev/null
  else
    echo "$id: training" >&2
    "$V" train "${common[@]}" --data "$train_data" --config "$CONFIG" "${posemb[@]}" --epochs "$EPOCHS" \
      --crop-min-scale "$CROP" --precision "$PRECISION" --seed "$seed" "${budget[@]}" --out "$dir" --force > /dev/null
  fi
  local t1=$SECONDS
  echo "$id: evaluating" >&2
  "$V" eval "${common[@]}" --model "$dir" --data "$test_data" --scramble-grid 2x2,4x4,8x8 --seed 0 --precision fp32 \
    --format json > "$dir/eval-scramble.json"
  local sizes
  sizes="$(echo $SIZES | tr ' ' ',')"
  "$V" eval "${common[@]}" --model "$dir" --data "$test_data" --image-size "$sizes" --precision fp32 --format json > "$dir/eval-sizes.json"
  eval_interpolated "$dir"
  # one file per run, written last (atomically), so its existence means the run is complete
  /usr/bin/python3 - "$dir" "$name" "$seed" "$((t1 - t0))" "$((SECONDS - t1))" "$result" <<'PY'
import json, os, sys
d, name, seed, train_s, eval_s, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
load = lambda p: json.load(open(os.path.join(d, p)))
r = {"name": name, "seed": seed, "train": load("train.json"), "config": load("config.json"),
     "metrics": [json.loads(l) for l in open(os.path.join(d, "metrics.jsonl")) if l.strip()],
     "scrambling": load("eval-scramble.json"),
     "resolution": load("eval-sizes.json"),
     "resolution_interpolated": load("eval-sizes-interpolated.json"),
     "wall_seconds": {"train": train_s, "eval": eval_s}}
for e in (r["scrambling"], r["resolution"], r["resolution_interpolated"]):  # confusion matrices stay in the run directory
    for x in e["results"]:
        x.pop("confusion", None)
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(r, f, indent=1)
os.replace(tmp, out)
PY
  echo "$id: done (train $((t1 - t0)) s, eval $((SECONDS - t1)) s)" >&2
}
export -f run_one

# seeds outer, kinds inner: an experiment stopped early has every kind at the same number of seeds
for seed in $SEEDS; do
  for name in $KINDS; do
    echo "$name $seed"
  done
done | xargs -P "$JOBS" -L 1 bash -c 'set -euo pipefail; run_one "$0" "$1"' || status=$?

# every kind's seed-1 model is small (0.6 MB) and kept: notebook 03 classifies with the one without a
# position embedding, notebook 04 draws their attention, attention_distance.sh measures where they look.
# KEEP_MODELS=1 keeps them from a run with its own RESULTS too (retraining only the seed-1 models of
# the default recipe, whose result files already exist: RESULTS=runs/seed1 KEEP_MODELS=1 SEEDS=1 ...)
if [ "$RESULTS" = "$HERE/results" ] || [ "${KEEP_MODELS:-0}" = 1 ]; then
  for name in $KINDS; do
    if [ -f "$RUNS/$name-seed1/model.safetensors" ]; then
      mkdir -p "$HERE/models/$name"
      cp "$RUNS/$name-seed1/"{config.json,labels.txt,model.safetensors,checksums.sha256,serving.properties} "$HERE/models/$name/"
    fi
  done
fi
if [ "$RESULTS" = "$HERE/results" ]; then
  /usr/bin/python3 "$HERE/aggregate.py" "$RESULTS" "$ROOT/docs/experiment.md"   # the page's tables too
  "$HERE/attention_distance.sh"   # where each kind's heads look (a kind already measured is skipped)
else
  /usr/bin/python3 "$HERE/aggregate.py" "$RESULTS"
fi
exit "${status:-0}"
