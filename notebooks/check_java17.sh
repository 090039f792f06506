#!/usr/bin/env bash
# Runs the notebook step as on a machine whose only JDK is 17, and fails unless a notebook executes
# there with its kernel on Java 17. Every JDK under /usr/lib/jvm that is not 17 is hidden behind an
# empty tmpfs in a private mount namespace (so a Temurin 21 or 25 installed beside it cannot be
# found), JAVA21_HOME is unset, and JAVA_HOME and PATH name the JDK 17.
#
#   notebooks/check_java17.sh [NOTEBOOK.ipynb]   (default: notebooks/01-patches.ipynb)
#
# Hiding directories needs root (unshare -m, mount): without it the script says so and exits 0 without
# checking anything. Exits 1 when there is no JDK 17 under /usr/lib/jvm, or when the notebook step fails.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
NB="${1:-$ROOT/notebooks/01-patches.ipynb}"
log() { echo "check_java17: $*" >&2; }
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  log "skipped: hiding the other JDKs needs root and unshare; run it as root to check the notebooks on Java 17 alone"
  exit 0
fi
java_feature() { # prints the feature version of a java binary, e.g. 17
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}
JDK17=""
HIDE=()
for home in /usr/lib/jvm/*/; do
  home="${home%/}"
  [ -L "$home" ] && continue          # a link to another JDK's folder: hidden with that folder
  [ -x "$home/bin/java" ] || continue
  if [ "$(java_feature "$home/bin/java")" = 17 ] && [ -x "$home/bin/javac" ]; then
    [ -n "$JDK17" ] || JDK17="$home"
  else
    HIDE+=("$home")
  fi
done
if [ -z "$JDK17" ]; then
  log "FAILED: no JDK 17 (java and javac) under /usr/lib/jvm to check with"; exit 1
fi
log "JDK 17: $JDK17; hidden: ${HIDE[*]:-nothing}"
rc=0
unshare -m --propagation private env -u JAVA21_HOME JAVA_HOME="$JDK17" PATH="$JDK17/bin:$PATH" \
    bash -c 'for d in "${@:2}"; do mount -t tmpfs -o ro,size=1k none "$d"; done; exec "$0" "$1"' \
    "$ROOT/notebooks/run_notebooks.sh" "$NB" "${HIDE[@]}" || rc=$?
if [ "$rc" != 0 ]; then
  log "FAILED: notebooks/run_notebooks.sh exited $rc with Java 17 alone"; exit 1
fi
RUN="$ROOT/target/notebooks-run/$(basename "$NB")"
if ! grep -q "on Java 17\." "$RUN"; then
  log "FAILED: $RUN does not say 'on Java 17.': the kernel ran on another Java"; exit 1
fi
log "ok: $(basename "$NB") ran with Java 17 alone"
