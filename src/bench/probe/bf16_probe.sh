#!/usr/bin/env bash
# Can vit4j run in bfloat16 through DJL 0.36's PyTorch engine? Tries float16 and bfloat16 in turn
# (each in its own JVM, since an unsupported type aborts the process) and prints the outcome.
#   src/bench/probe/bf16_probe.sh        (after ./vit4j has built target/vit4j.jar and target/lib)
set -uo pipefail
cd "$(dirname "$0")/../../.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
for t in FLOAT16 BFLOAT16; do
  java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "target/vit4j.jar:target/lib/*" \
    src/bench/probe/Bf16Probe.java "$t" 2>&1 | grep -v "Warning: AutoNonVariableTypeMode"
  echo "$t: exit status ${PIPESTATUS[0]}"
done
