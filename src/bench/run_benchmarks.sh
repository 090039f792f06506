#!/usr/bin/env bash
# Runs the peer benchmarks end to end and writes target/bench-results.md (see BENCHMARKS.md).
#
#   src/bench/run_benchmarks.sh [BenchMain options...]
#
# e.g. src/bench/run_benchmarks.sh                  full run (about 15 minutes on 2 cores)
#      src/bench/run_benchmarks.sh --quick          dry run: tiny durations, numbers meaningless
#      src/bench/run_benchmarks.sh --threads 1      pin both engines to one intra-op thread
#
# Steps: export the peers with Debian's python3 (torch 1.13 / torchvision 0.14) into
# target/bench-peers, build the bench profile (target/benchmarks.jar + target/bench-lib/), run it.
# Environment: PYTHON (default /usr/bin/python3), MVN (default mvn), JAVA (default java),
# JAVA_OPTS (extra JVM options for the launcher; JMH's forks inherit them).
set -euo pipefail

cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-/usr/bin/python3}"
MVN="${MVN:-mvn}"
JAVA="${JAVA:-java}"

export DJL_OFFLINE=true OPT_OUT_TRACKING=true

echo "[run_benchmarks] load average: $(cat /proc/loadavg 2>/dev/null || echo n/a)" >&2
echo "[run_benchmarks] OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-<unset>} (see BENCHMARKS.md, 'Threads')" >&2

echo "[run_benchmarks] exporting peers" >&2
"$PYTHON" src/bench/export_peers.py target/bench-peers >&2

echo "[run_benchmarks] building the bench profile" >&2
"$MVN" -q -Pbench -DskipTests package >&2

echo "[run_benchmarks] running" >&2
# shellcheck disable=SC2086
"$JAVA" ${JAVA_OPTS:-} -Djava.awt.headless=true -Dai.djl.offline=true \
    -Dvit4j.bench.python="$PYTHON" \
    -jar target/benchmarks.jar --out target/bench-results.md "$@"
if [ -f target/bench-scaling.csv ]; then
  "$PYTHON" src/bench/plot_scaling.py target/bench-scaling.csv target/bench-scaling.png
  echo "[run_benchmarks] scaling plot written to target/bench-scaling.png" >&2
fi
echo "[run_benchmarks] tables written to target/bench-results.md" >&2
