#!/usr/bin/env bash
# The training-throughput table: vit4j's eager step (with the library's allocator settings and with
# glibc's defaults) and compiled step (fp32, bf16) beside the PyTorch
# peer (src/bench/train_peer.py), fashion-small and fashion, batch 128, real Fashion-MNIST,
# alternating runs. Writes every run as a JSON line to target/train-table.jsonl and the table of
# medians (markdown) to target/train-table.md.
#
#   src/bench/train_table.sh [--seconds S] [--rounds R] [--threads T]
#
# e.g. src/bench/train_table.sh                          S=30 s per run, R=3 rounds (about 20 minutes)
#      src/bench/train_table.sh --seconds 1 --rounds 1   rehearsal: numbers meaningless
#
# Each round runs every configuration once, in the same order, so that a change in the machine's
# load hits all of them alike. bf16 rows on a CPU without avx512_bf16 or AMX measure emulated
# bfloat16 (see the precision column: `vit4j bench` prints why it chose what it ran).
# Environment: PYTHON (default /usr/bin/python3, with Debian's python3-torch), VIT4J (default ./vit4j),
# FASHION_MNIST (the IDX folder, default the Debian package's /usr/share/datasets/fashion-mnist).
set -euo pipefail

cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-/usr/bin/python3}"
VIT4J="${VIT4J:-./vit4j}"
SECONDS_PER_RUN=30
ROUNDS=3
THREADS=  # default: the engines' own (all cores), not set: setting it made fp32 training slower (BENCHMARKS.md, Threads)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    *) echo "train_table.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
DATA_DIR="${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}"

mkdir -p target
OUT=target/train-table.jsonl
: > "$OUT"
echo "[train_table] load average: $(cat /proc/loadavg 2>/dev/null || echo n/a); $ROUNDS rounds of ${SECONDS_PER_RUN}s runs, threads ${THREADS:-default}" >&2
T=()
[ -n "$THREADS" ] && T=(--threads "$THREADS")
"$VIT4J" --version >/dev/null 2>&1 || true # builds the jar once, outside the timed runs

# vit4j bench runs one timed span after 5 warm-up steps; the peer's --rounds 1 does the same
for round in $(seq 1 "$ROUNDS"); do
  for variant in fashion-small fashion; do
    for run in eager-glibc:fp32 eager:fp32 compiled:fp32 compiled:bf16 peer:fp32 peer:bf16; do
      engine="${run%%:*}"
      precision="${run##*:}"
      echo "[train_table] round $round: $variant $engine $precision" >&2
      if [ "$engine" = peer ]; then
        line=$("$PYTHON" src/bench/train_peer.py --variant "$variant" --precision "$precision" --data-dir "$DATA_DIR" \
          --seconds "$SECONDS_PER_RUN" --rounds 1 ${T[@]+"${T[@]}"})
      elif [ "$engine" = eager-glibc ]; then
        # the eager step with glibc's allocator defaults (-Dvit4j.malloc=default), as it ran before the
        # library set its own (org.vit4j.compiled.HeapReuse): the baseline the compiled step was measured against
        line=$(VIT4J_JAVA_OPTS="${VIT4J_JAVA_OPTS:-} -Dvit4j.malloc=default" "$VIT4J" bench --quiet ${T[@]+"${T[@]}"} \
          --train fashion-mnist --variant "$variant" --engine eager --precision "$precision" --seconds "$SECONDS_PER_RUN" --format json)
      else
        line=$("$VIT4J" bench --quiet ${T[@]+"${T[@]}"} --train fashion-mnist --variant "$variant" --engine "$engine" \
          --precision "$precision" --seconds "$SECONDS_PER_RUN" --format json)
      fi
      echo "{\"round\": $round, \"variant\": \"$variant\", \"engine\": \"$engine\", \"precision\": \"$precision\", \"result\": $line}" >> "$OUT"
    done
  done
done

"$PYTHON" - "$OUT" > target/train-table.md <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
key = lambda r: (r["variant"], r["engine"], r["precision"])
runs = {}
for r in rows:
    runs.setdefault(key(r), []).append(r["result"])
print("| model | engine | precision | images/s (median) | runs | vs eager fp32 | vs eager fp32, glibc malloc | waiting for data | loader CPU share | step CPU ms per image |")
print("|---|---|---|---:|---|---:|---:|---:|---:|---:|")
def median_of(variant, engine):
    rs = runs.get((variant, engine, "fp32"))
    return statistics.median(x["images_per_s"] for x in rs) if rs else None
for variant in ("fashion-small", "fashion"):
    base = median_of(variant, "eager")
    glibc = median_of(variant, "eager-glibc")
    for engine, precision in (("eager-glibc", "fp32"), ("eager", "fp32"), ("compiled", "fp32"), ("compiled", "bf16"), ("peer", "fp32"), ("peer", "bf16")):
        rs = runs.get((variant, engine, precision))
        if not rs:
            continue
        ips = [x["images_per_s"] for x in rs]
        med = statistics.median(ips)
        wait = [x["data_wait_share"] for x in rs if "data_wait_share" in x]
        cpu = [x["loader_cpu_share"] for x in rs if "loader_cpu_share" in x]
        step = [x["step_cpu_ms_per_image"] for x in rs if "step_cpu_ms_per_image" in x]
        name = ("PyTorch %s (train_peer.py)" % rs[0].get("torch", "") if engine == "peer"
                else "vit4j eager, glibc malloc" if engine == "eager-glibc" else "vit4j " + engine)
        print("| %s | %s | %s | %.1f | %s | %s | %s | %s | %s | %s |" % (
            variant, name, precision, med, ", ".join("%.1f" % x for x in ips),
            "%.2f×" % (med / base) if base else "", "%.2f×" % (med / glibc) if glibc else "",
            "%.1f %%" % (100 * statistics.median(wait)) if wait else "",
            "%.1f %%" % (100 * statistics.median(cpu)) if cpu else "",
            "%.2f" % statistics.median(step) if step else ""))
EOF
cat target/train-table.md
echo "[train_table] runs in $OUT, table in target/train-table.md" >&2
