#!/usr/bin/env bash
# Load time and first-call latency of the compiled forward (ViT-Ti/16, 224, random weights).
#   src/bench/probe/warmup_probe.sh [fp32|bf16]     (after ./vit4j has built target/vit4j.jar and target/lib)
set -euo pipefail
cd "$(dirname "$0")/../../.."
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.defaultLogLevel=error -cp "target/vit4j.jar:target/lib/*" \
  src/bench/probe/WarmupProbe.java "${1:-fp32}" 2>&1 | grep -v "Warning: AutoNonVariableTypeMode"
