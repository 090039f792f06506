#!/usr/bin/env bash
# Two builds of vit4j measured against each other in one run: the forward (ViT-Ti/16, ViT-B/16 at
# 224 px, batch 1 and 32, compiled fp32 and bf16) and the training step (fashion-small, batch 128,
# learned table and half-layout RoPE, compiled fp32 and bf16), each configuration run with one build
# then the other, round after round, so that a change in the machine's load hits both alike.
# Prints a markdown table of medians with the ratio new / old, and the CPU it ran on.
#
#   src/bench/before_after.sh OLD.jar NEW.jar [--seconds S] [--rounds R] [--warmup-max S]
#
# e.g. git worktree add /tmp/old v0; (cd /tmp/old && mvn -q -DskipTests package)
#      src/bench/before_after.sh /tmp/old/target/vit4j.jar target/vit4j.jar
#      src/bench/before_after.sh OLD.jar NEW.jar --seconds 1 --rounds 1 --warmup-max 1   rehearsal: numbers meaningless
#
# Each jar runs with the lib/ folder beside it (as `mvn package` leaves it). Nothing else may run
# meanwhile: the load average is printed first. Training rows need Debian's dataset-fashion-mnist.
set -euo pipefail

if [ $# -lt 2 ]; then
  sed -n '2,14p' "$0" >&2; exit 2
fi
OLD="$1"; NEW="$2"; shift 2
SECONDS_PER_RUN=10
ROUNDS=3
WARMUP_MAX=15
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_PER_RUN="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --warmup-max) WARMUP_MAX="$2"; shift 2 ;;
    *) echo "before_after.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for jar in "$OLD" "$NEW"; do
  [ -f "$jar" ] || { echo "before_after.sh: $jar: no such file" >&2; exit 2; }
done
export DJL_OFFLINE=true OPT_OUT_TRACKING=true MKL_CBWR="${MKL_CBWR:-AUTO,STRICT}"
RUNS="$(mktemp)"
trap 'rm -f "$RUNS"' EXIT

run() { # JAR ARGS... -> images/s
  java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Djava.awt.headless=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -jar "$1" bench --format json "${@:2}" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.loads(sys.stdin.readlines()[-1])["images_per_s"])'
}

CONFIGS=(
  "forward tiny b1 fp32|--variant tiny --batch-size 1 --precision fp32"
  "forward tiny b32 fp32|--variant tiny --batch-size 32 --precision fp32"
  "forward tiny b1 bf16|--variant tiny --batch-size 1 --precision bf16"
  "forward tiny b32 bf16|--variant tiny --batch-size 32 --precision bf16"
  "forward base b1 fp32|--variant base --batch-size 1 --precision fp32"
  "forward base b32 fp32|--variant base --batch-size 32 --precision fp32"
  "forward base b1 bf16|--variant base --batch-size 1 --precision bf16"
  "forward base b32 bf16|--variant base --batch-size 32 --precision bf16"
  "train fashion-small learned fp32|--train fashion-mnist --variant fashion-small --batch-size 128 --precision fp32"
  "train fashion-small learned bf16|--train fashion-mnist --variant fashion-small --batch-size 128 --precision bf16"
  "train fashion-small rope-dinov3 fp32|--train fashion-mnist --variant fashion-small --pos-emb rope-dinov3 --batch-size 128 --precision fp32"
  "train fashion-small rope-dinov3 bf16|--train fashion-mnist --variant fashion-small --pos-emb rope-dinov3 --batch-size 128 --precision bf16"
)

echo "[before_after] load average: $(cat /proc/loadavg); $ROUNDS rounds of ${SECONDS_PER_RUN}s runs" >&2
for round in $(seq "$ROUNDS"); do
  for c in "${CONFIGS[@]}"; do
    name="${c%%|*}"; args="${c#*|}"
    # shellcheck disable=SC2086
    o="$(run "$OLD" $args --seconds "$SECONDS_PER_RUN" --warmup-max "$WARMUP_MAX")"
    # shellcheck disable=SC2086
    n="$(run "$NEW" $args --seconds "$SECONDS_PER_RUN" --warmup-max "$WARMUP_MAX")"
    echo "[before_after] round $round, $name: old $o, new $n images/s" >&2
    printf '%s\t%s\t%s\n' "$name" "$o" "$n" >> "$RUNS"
  done
done

python3 - "$RUNS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, o, n = line.rstrip("\n").split("\t")
    rows.setdefault(name, ([], []))
    rows[name][0].append(float(o)); rows[name][1].append(float(n))
cpu = {}
for line in open("/proc/cpuinfo"):
    k, _, v = line.partition(":")
    k = k.strip()
    if k in ("model name", "cpu family", "model") and k not in cpu:
        cpu[k] = v.strip()
    if k == "flags" and "flags" not in cpu:
        fl = v.split()
        cpu["flags"] = " ".join(f for f in ("avx2", "avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16") if f in fl)
print(f"CPU: {cpu.get('model name')}, family {cpu.get('cpu family')} model {cpu.get('model')}; {cpu.get('flags')}")
print()
print("| configuration | old images/s | new images/s | new ÷ old |")
print("|---|---:|---:|---:|")
for name, (o, n) in rows.items():
    mo, mn = statistics.median(o), statistics.median(n)
    print(f"| {name} | {mo:.1f} | {mn:.1f} | {mn / mo:.3f} |")
EOF
