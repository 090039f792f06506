#!/usr/bin/env bash
# The headline table of BENCHMARKS.md in one command: ViT-Ti/16 and ViT-B/16 at 224x224, batch 1, 16
# and 32, vit4j compiled fp32 (linear kernel auto) and, where the CPU has it, bf16 against ONNX Runtime
# fp32 with its default threads and with one intra-op thread per core (ratios to the faster of the
# two), every engine in a JVM of its own, alternating (FastPathBench + EngineProcess), with the CPU's
# model, family and flags.
#
#   src/bench/headline.sh [FastPathBench options...]
#
# e.g. src/bench/headline.sh                                   full run (idle machine: nothing else running)
#      src/bench/headline.sh --engines fp32,fp32-aten,bf16      engines as in EngineProcess (ort ones always run)
#      src/bench/headline.sh --variants ti16 --batches 1 --rounds 1 --seconds 0.2 --warmup-max 2
#                                                             rehearsal: numbers meaningless
#
# Steps: export the torchvision peers with Debian's python3 (python3-torch, python3-torchvision) into
# target/bench-peers unless they are there, build the bench profile (target/benchmarks.jar), run it.
# Writes target/bench-headline.md (the tables, then `vit4j bench --kernel-probe` on ViT-B/16's shapes:
# the best matrix-product rate libtorch reaches on this CPU) and prints the tables. Allocator: what the library sets
# itself (org.vit4j.compiled.HeapReuse: mallopt M_MMAP_MAX=0, M_TRIM_THRESHOLD=2 GiB, M_TOP_PAD=256 MiB)
# and MALLOC_ARENA_MAX=1 as the launcher exports it, for every engine's JVM alike, printed in each
# engine's line; exported MALLOC_MMAP_MAX_ / MALLOC_TRIM_THRESHOLD_ / MALLOC_ARENA_MAX take precedence.
# Environment: PYTHON (default /usr/bin/python3), MVN (default mvn), JAVA (default java), JAVA_OPTS.
set -euo pipefail

cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-/usr/bin/python3}"
MVN="${MVN:-mvn}"
JAVA="${JAVA:-java}"
PEERS=target/bench-peers

export DJL_OFFLINE=true OPT_OUT_TRACKING=true
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}" # as ./vit4j does (HeapReuse): inherited by every engine's JVM

echo "[headline] load average: $(cat /proc/loadavg 2>/dev/null || echo n/a)" >&2
for v in ti16 b16; do
  s=""; [ "$v" = ti16 ] || s="_$v"
  if [ ! -f "$PEERS/vit_$v.onnx" ] || [ ! -f "$PEERS/check_logits$s.npy" ]; then
    echo "[headline] exporting the $v peers into $PEERS" >&2
    "$PYTHON" src/bench/export_peers.py "$PEERS" "$v" >&2
  fi
done

echo "[headline] building the bench profile" >&2
"$MVN" -q -B -Pbench -DskipTests package >&2

echo "[headline] running (alternating engines; do not run anything else meanwhile)" >&2
# shellcheck disable=SC2086
"$JAVA" ${JAVA_OPTS:-} -Djava.awt.headless=true -Dai.djl.offline=true \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp target/benchmarks.jar org.vit4j.bench.peers.FastPathBench --out target/bench-headline.md "$@"
# how close each engine is to the machine: every linear route's rate on ViT-B/16's shapes, at batch
# 1 (197 rows) and 16 (3152 rows); the last line of each is the largest shape (3072x768)
{
  echo
  echo "#### The machine's matrix-product rate: ViT-B/16's linear shapes, every route libtorch offers"
  for b in 1 16; do
    echo
    echo '```'
    echo "\$ ./vit4j bench --variant base --batch-size $b --kernel-probe"
    ./vit4j bench --variant base --batch-size "$b" --kernel-probe
    echo '```'
  done
} >> target/bench-headline.md
echo "[headline] table written to target/bench-headline.md" >&2
