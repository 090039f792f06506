#!/usr/bin/env bash
# `vit4j serve` under load: starts the server on a free loopback port with the bundled model, then
# its load client (src/bench/java/org/vit4j/bench/peers/ServeLoad.java, run from source) measures
# images/s and p50/p99 latency of one caller of the library (sequential) and of 1, 4 and 16 HTTP
# clients sending the sample images, every answer checked against the library's, then the server's
# resident memory over 20 000 requests. Run it on an idle machine; the table goes to stdout and to
# src/bench/results/serve-load-DATE.md.
#
#   src/bench/serve_load.sh [--requests N] [--warmup N] [--soak N] [--clients 1,4,16] [-- SERVE OPTIONS]
#   e.g. a dry run: src/bench/serve_load.sh --requests 40 --warmup 10 --soak 200 --out target/serve-load-dry.md
set -euo pipefail
cd "$(dirname "$0")/../.."
CLIENT_ARGS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do CLIENT_ARGS+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
case " ${CLIENT_ARGS[*]:-} " in
  *" --out "*) ;;
  *) mkdir -p src/bench/results; CLIENT_ARGS+=(--out "src/bench/results/serve-load-$(date +%F).md") ;;
esac
./vit4j --version >/dev/null  # build first
LOG="$(mktemp)"
./vit4j serve --quiet --port 0 "$@" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 600); do
  grep -q "^listening on " "$LOG" && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
URL="$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$LOG")"
[ -n "$URL" ] || { cat "$LOG" >&2; echo "serve_load: the server did not start" >&2; exit 1; }
echo "serve_load: server $SERVER at $URL" >&2
java -Dai.djl.offline=true -DOPT_OUT_TRACKING=true -Djava.awt.headless=true \
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda.CudaUtils=error \
  -cp target/vit4j.jar src/bench/java/org/vit4j/bench/peers/ServeLoad.java \
  --url "$URL" --pid "$SERVER" "${CLIENT_ARGS[@]}"
