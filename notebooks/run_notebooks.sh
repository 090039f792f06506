#!/usr/bin/env bash
# Executes the notebooks for real — Jupyter's nbconvert with the rapaio Java kernel — into
# target/notebooks-run/, leaving the committed .ipynb files as they are. Exits non-zero if a cell of
# any notebook fails, or if a committed notebook is stale in a way that matters: it shows an error,
# or fewer pictures than the run just made.
#
#   notebooks/run_notebooks.sh [NOTEBOOK.ipynb ...]          (default: every notebooks/*.ipynb)
#   notebooks/run_notebooks.sh --write [NOTEBOOK.ipynb ...]  regenerates the committed outputs:
#                                                            writes them back into the .ipynb files
#
# Installs what is missing first:
#   - Debian's jupyter-nbconvert and jupyter-client (when run as root; otherwise it says what to install),
#   - the kernel jar io.github.padreati:rapaio-jupyter-kernel (a self-contained jar) with Maven into
#     target/notebook-kernel/,
#   - its kernelspec, with the kernel's own installer (`java -jar <jar> -i -auto`), into a private
#     Jupyter data dir target/notebook-kernel/jupyter/ that only this script puts on JUPYTER_PATH, so
#     the user's own kernels are left alone; the kernel runs on the JDK that runs vit4j (JAVA_HOME's,
#     else `java` on PATH; 17 or newer: kernel 2.3.0's classes target Java 17),
#   - target/vit4j.jar and target/lib/ (`mvn -DskipTests package`) when missing or older than the sources.
# NOTEBOOK_CELL_TIMEOUT (seconds, default 300) limits each cell.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
NOTEBOOKS="$ROOT/notebooks"
# 2.3.0, not 3.x: 2.3.0's classes are Java 17's (class file version 61), 3.0.1's need Java 21
KERNEL_VERSION=2.3.0
KERNEL_ARTIFACT="io.github.padreati:rapaio-jupyter-kernel:$KERNEL_VERSION"
KERNEL_NAME=rapaio-jupyter-kernel
CACHE="$ROOT/target/notebook-kernel"
CELL_TIMEOUT="${NOTEBOOK_CELL_TIMEOUT:-300}"
log() { echo "run_notebooks: $*" >&2; }
WRITE=false
if [ "${1:-}" = --write ]; then WRITE=true; shift; fi

# 1. Jupyter (Debian packages; their Python is /usr/bin/python3, whatever python3 is first on PATH)
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"
if ! "$PY" -c 'import nbconvert, nbclient, jupyter_client' 2>/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    log "installing jupyter-nbconvert and jupyter-client (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq jupyter-nbconvert jupyter-client >/dev/null
  else
    log "needs Jupyter: sudo apt-get install jupyter-nbconvert jupyter-client"; exit 2
  fi
fi

# 2. The JDK for the kernel: the one that runs vit4j (JAVA_HOME's, else `java` on PATH), 17 or newer
java_feature() { # prints the feature version of a java binary, e.g. 17
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  KJAVA="$(cd "$JAVA_HOME" && pwd)/bin/java"
else
  KJAVA="$(readlink -f "$(command -v java || true)" 2>/dev/null || true)"
fi
if [ -z "$KJAVA" ] || [ ! -x "$KJAVA" ] || [ ! -x "$(dirname "$KJAVA")/javac" ] \
    || ! [ "$(java_feature "$KJAVA")" -ge 17 ] 2>/dev/null; then
  log "the notebooks need a JDK 17 or newer (java and javac): set JAVA_HOME or put it on PATH"; exit 2
fi

# 3. The kernel jar, from Maven Central through Maven's local repository
KERNEL_JAR="$CACHE/rapaio-jupyter-kernel-$KERNEL_VERSION.jar"
if [ ! -f "$KERNEL_JAR" ]; then
  log "fetching $KERNEL_ARTIFACT"
  mkdir -p "$CACHE"
  (cd "$CACHE" && mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$KERNEL_ARTIFACT" \
    -DoutputDirectory="$CACHE" >"$CACHE/mvn.log" 2>&1) || { cat "$CACHE/mvn.log" >&2; exit 2; }
fi

# 4. The kernelspec: the kernel's own installer, in a private user home, then pointed at that JDK and
#    started with kernel-fix/ (a fixed LoopThread, see its Javadoc) ahead of the kernel jar
export JUPYTER_PATH="$CACHE/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
SPEC_DIR="$CACHE/jupyter/kernels/$KERNEL_NAME"
FIX_SRC="$NOTEBOOKS/kernel-fix/org/rapaio/jupyter/kernel/channels/LoopThread.java"
FIX_DIR="$CACHE/kernel-fix"
if [ ! -f "$FIX_DIR/org/rapaio/jupyter/kernel/channels/LoopThread.class" ] \
    || [ "$FIX_SRC" -nt "$FIX_DIR/org/rapaio/jupyter/kernel/channels/LoopThread.class" ]; then
  rm -rf "$FIX_DIR"
  "$(dirname "$KJAVA")/javac" -nowarn --release 17 -cp "$KERNEL_JAR" -d "$FIX_DIR" "$FIX_SRC"
fi
if [ ! -f "$SPEC_DIR/kernel.json" ] || ! grep -q "\"$KJAVA\"" "$SPEC_DIR/kernel.json" \
    || ! grep -q "$FIX_DIR:.*rapaio-jupyter-kernel-$KERNEL_VERSION.jar" "$SPEC_DIR/kernel.json"; then
  log "installing the $KERNEL_NAME kernelspec (Java: $KJAVA)"
  rm -rf "$CACHE/home" "$SPEC_DIR"
  mkdir -p "$CACHE/home"
  "$KJAVA" -Duser.home="$CACHE/home" -jar "$KERNEL_JAR" -i -auto >/dev/null
  mkdir -p "$(dirname "$SPEC_DIR")"
  mv "$CACHE/home/.local/share/jupyter/kernels/$KERNEL_NAME" "$SPEC_DIR"
  rm -rf "$CACHE/home"
  # argv: that JDK, headless AWT (pictures are drawn off screen), native access for JNA/libtorch
  "$PY" - "$SPEC_DIR/kernel.json" "$KJAVA" "$FIX_DIR" <<'EOF'
import json, os, sys
path, java, fix = sys.argv[1:4]
with open(path) as f:
    spec = json.load(f)
jar = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.basename(next(a for a in spec["argv"] if a.endswith(".jar"))))
spec["argv"] = [java, "-Djava.awt.headless=true", "--enable-native-access=ALL-UNNAMED",
                "-cp", fix + os.pathsep + jar, "org.rapaio.jupyter.kernel.MainApp", "{connection_file}"]
with open(path, "w") as f:
    json.dump(spec, f, indent=2)
EOF
fi

# 5. The project's jar and its dependencies, which the notebooks load with %%jars
JAR="$ROOT/target/vit4j.jar"
if [ ! -f "$JAR" ] || [ ! -d "$ROOT/target/lib" ] \
    || [ -n "$(find "$ROOT/src/main" "$ROOT/pom.xml" -newer "$JAR" -print -quit 2>/dev/null)" ]; then
  log "building target/vit4j.jar"
  mkdir -p "$ROOT/target"
  (cd "$ROOT" && mvn -q -B -Dstyle.color=never -DskipTests package >"$ROOT/target/notebooks-build.log" 2>&1) \
    || { cat "$ROOT/target/notebooks-build.log" >&2; exit 3; }
fi

# 6. Execute. The kernel inherits DJL's offline switches; the notebooks set them too.
export DJL_OFFLINE=true OPT_OUT_TRACKING=true
if [ "$#" -gt 0 ]; then
  NBS=("$@")
else
  NBS=("$NOTEBOOKS"/*.ipynb)
fi
OUT="$ROOT/target/notebooks-run"
mkdir -p "$OUT"
failed=()
# One nbconvert run; the kernel's working directory is the notebook's folder, so the notebooks use
# ../target and ../sample-images.
execute() { # notebook name
  "$PY" -m nbconvert --to notebook --execute --output-dir "$OUT" --output "$2" \
    --ExecutePreprocessor.kernel_name="$KERNEL_NAME" \
    --ExecutePreprocessor.timeout="$CELL_TIMEOUT" --ExecutePreprocessor.startup_timeout=60 \
    --ExecutePreprocessor.record_timing=False \
    --log-level=WARN "$1" 2>"$OUT/$2.log"
}
for nb in "${NBS[@]}"; do
  nb="$(readlink -f "$nb")"
  name="$(basename "$nb")"
  start=$SECONDS
  ok=false
  # Should the kernel still not start (see kernel-fix/), a new one usually does: only that is retried.
  for attempt in 1 2 3; do
    if execute "$nb" "$name"; then ok=true; break; fi
    grep -q "Kernel didn't respond" "$OUT/$name.log" || break
    log "$name: the kernel did not start (attempt $attempt), retrying"
  done
  if $ok; then
    # Drop the outputs of cells tagged remove-output (the %%jars cell: one line per jar, with local paths).
    "$PY" -m nbconvert --to notebook --inplace --log-level=WARN \
      --TagRemovePreprocessor.enabled=True --TagRemovePreprocessor.remove_all_outputs_tags=remove-output \
      "$OUT/$name"
    if $WRITE; then
      cp "$OUT/$name" "$nb"
      log "$name: ok ($((SECONDS - start)) s), outputs written to $nb"
    elif stale="$("$PY" "$NOTEBOOKS/stale_outputs.py" "$nb" "$OUT/$name")" && [ -z "$stale" ]; then
      log "$name: ok ($((SECONDS - start)) s), output in $OUT/$name"
    else
      log "$name: the committed outputs are stale: ${stale:-could not compare}; regenerate them with notebooks/run_notebooks.sh --write"
      failed+=("$name")
    fi
  else
    # the cell, its error and the kernel's stderr are at the end of nbconvert's log
    grep -v -e '^\[20[0-9-]* [0-9:]*\] \[INFO' -e 'frozen modules' -e 'Debugging will proceed' \
      -e 'PYDEVD' "$OUT/$name.log" | tail -n 40 >&2 || true
    log "$name: FAILED ($((SECONDS - start)) s); the log is $OUT/$name.log"
    failed+=("$name")
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  log "failed: ${failed[*]}"; exit 1
fi
