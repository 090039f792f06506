#!/usr/bin/env bash
# Where a vit4j forward pass spends its wall time: ViT-Ti/16 forward passes at batch B for S seconds
# under Java Flight Recorder, then the calling thread's samples grouped by what it was doing — inside
# one of libtorch's operators (a JNI method of DJL's PyTorchLibrary, named after the op) or in Java
# (DJL's wrappers and vit4j's blocks: the per-call overhead). The warm-up third is sampled too.
#   src/bench/probe/profile_forward.sh [B] [S]     (after ./vit4j has built target/vit4j.jar)
set -euo pipefail
cd "$(dirname "$0")/../../.."
B="${1:-1}"; S="${2:-30}"
OUT="$(mktemp -d)"
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error \
  -XX:StartFlightRecording=filename="$OUT/f.jfr",settings=src/bench/probe/sampling.jfc \
  -cp "target/vit4j.jar:target/lib/*" src/bench/probe/ForwardProfile.java "$B" "$S" 2>&1 \
  | grep -v "Warning: AutoNonVariableTypeMode\|jfr,startup"
# The main thread's samples taken inside a timed or warm-up forward pass, by top frame: native (inside
# an op) or Java. Both kinds are sampled every 10 ms (sampling.jfc), so the shares add up.
{ jfr print --stack-depth 64 --events jdk.NativeMethodSample "$OUT/f.jfr"; jfr print --stack-depth 64 --events jdk.ExecutionSample "$OUT/f.jfr"; } \
  | awk '/^jdk\./ { if (main && pass) print top; main = 0; pass = 0; top = "" }
         /sampledThread = "main"/ { main = 1 }
         /stackTrace = \[/ { getline; top = $0 }
         /ForwardBenchmark\.pass/ { pass = 1 }
         END { if (main && pass) print top }' \
  | sed -E 's/^ +//; s/\(.*//; s/ai\.djl\.pytorch\.jni\.PyTorchLibrary\.torch/op: /' \
  | awk '{ if ($1 != "op:") { $0 = "java: " $0 } ; n[$0]++; t++ }
         END { for (k in n) printf "%6.1f%%  %s\n", 100 * n[k] / t, k; printf "%6d   samples in forward passes\n", t }' \
  | sort -rn | head -25
rm -rf "$OUT"
