#!/usr/bin/env bash
# Builds the carry for src/gpu/run.sh: what a machine with a CUDA torch but no Java and no network needs
# to run vit4j on its GPU. One command, here (Java 17 JDK, Maven's target/ built):
#
#   DJL_GIT=/path/to/djl.git src/gpu/pack.sh          # a clone (or bare mirror) of deepjavalibrary/djl
#   DJL_SRC=/path/to/djl-checkout src/gpu/pack.sh     # or a checkout of DJL v0.36.0
#
# Output: target/gpu-carry/ (ignored by git, as all of target/), under 64 MiB:
#   java/        a jlinked Java 17 runtime with only the modules the jars use
#   app/         vit4j.jar, the dependency jars WITHOUT pytorch-native-cpu, classes/ (GpuCheck)
#   jni/include  jni.h, jni_md.h and DJL's generated ai_djl_pytorch_jni_PyTorchLibrary.h
#   djl/         DJL 0.36.0's JNI sources (pytorch-native/src/main/native) and api/src/main/native
# The fixtures (src/test/resources), sample-images/ and the bundled model (inside vit4j.jar) travel with
# the working tree. DJL's sources are another project's code: they travel in the carry, never in git.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRY="${CARRY:-$ROOT/target/gpu-carry}"
JDK="${JDK:-/usr/lib/jvm/java-17-openjdk-amd64}"
DJL_REF="${DJL_REF:-v0.36.0}"
cd "$ROOT"

[ -f target/vit4j.jar ] && [ -d target/lib ] || { echo "pack: build first: mvn -o -DskipTests package" >&2; exit 2; }
rm -rf "$CARRY"
mkdir -p "$CARRY"/{app/lib,app/classes,jni/include,djl}

# --- jars: all of target/lib but the CPU libtorch and DJL's CPU JNI (run.sh builds the JNI against the
#     GPU machine's torch, and DJL finds it beside that torch before it looks in pytorch-jni) ---
cp target/vit4j.jar "$CARRY/app/"
for j in target/lib/*.jar; do
  case "$(basename "$j")" in pytorch-native-*|pytorch-jni-*) continue ;; esac
  cp "$j" "$CARRY/app/lib/"
done
# JNA carries its dispatch library for 30 platforms: keep linux-x86-64's
for j in "$CARRY"/app/lib/jna-*.jar; do
  zip -q -d "$j" $(unzip -Z1 "$j" | grep -E '^com/sun/jna/[^/]+/.*(jnidispatch|\.a$)' | grep -v '^com/sun/jna/linux-x86-64/')
done
# vit4j.jar's manifest names lib/pytorch-native-cpu-*.jar; run.sh uses -cp, so its absence is harmless.
"$JDK/bin/javac" -Xlint:all,-path -Werror -d "$CARRY/app/classes" -cp "$CARRY/app/vit4j.jar:$CARRY/app/lib/*" \
  $(find src/gpu/java -name '*.java')

# --- the trimmed runtime: the union of jdeps over every jar, plus jdk.unsupported (JNA, Gson: sun.misc.Unsafe) ---
MODS="jdk.unsupported"
for j in "$CARRY/app/vit4j.jar" "$CARRY"/app/lib/*.jar "$CARRY/app/classes"; do
  m="$("$JDK/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 17 \
        --class-path "$CARRY/app/lib/*:$CARRY/app/vit4j.jar" "$j" 2>/dev/null | tail -1 || true)"
  case "$m" in java.*|jdk.*) MODS="$MODS,$m" ;; esac
done
MODS="$(tr ',' '\n' <<<"$MODS" | sort -u | paste -sd, -)"
echo "pack: modules: $MODS"
"$JDK/bin/jlink" --add-modules "$MODS" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$CARRY/java"
# the JDK ships libjvm.so with its symbol table (24 MB): stripped it is 20 MB
strip --strip-unneeded "$CARRY/java/lib/server/libjvm.so"

# --- JNI headers: the JDK's jni.h/jni_md.h and the header javac generates from DJL's PyTorchLibrary ---
cp "$JDK/include/jni.h" "$JDK/include/linux/jni_md.h" "$CARRY/jni/include/"
NATIVE=engines/pytorch/pytorch-native/src/main/native
API_NATIVE=api/src/main/native
LIBRARY_JAVA=engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if [ -n "${DJL_SRC:-}" ]; then
  mkdir -p "$TMP/djl"
  (cd "$DJL_SRC" && tar cf - "$NATIVE" "$API_NATIVE" "$LIBRARY_JAVA") | tar xf - -C "$TMP/djl"
elif [ -n "${DJL_GIT:-}" ]; then
  mkdir -p "$TMP/djl"
  git --git-dir="$DJL_GIT" archive "$DJL_REF" "$NATIVE" "$API_NATIVE" "$LIBRARY_JAVA" | tar xf - -C "$TMP/djl"
else
  echo "pack: set DJL_GIT (a clone of deepjavalibrary/djl, ref \$DJL_REF=$DJL_REF) or DJL_SRC (a checkout)" >&2
  exit 2
fi
cp -r "$TMP/djl/$NATIVE" "$CARRY/djl/native"
cp -r "$TMP/djl/$API_NATIVE" "$CARRY/djl/api-native"
"$JDK/bin/javac" -h "$CARRY/jni/include" -d "$TMP/classes" -cp "$CARRY/app/lib/*" "$TMP/djl/$LIBRARY_JAVA"
echo "$DJL_REF" > "$CARRY/djl/REF"

# --- what else run.sh reads, from the working tree ---
for f in src/test/resources/interop/timm_cls.safetensors src/test/resources/interop/input_24x24.npy \
         src/test/resources/interop/timm/dinov3.safetensors src/test/resources/interop/timm/input_32x32.npy \
         sample-images; do
  [ -e "$f" ] || { echo "pack: missing $f" >&2; exit 2; }
done

du -sh "$CARRY"/* | sed 's/^/pack: /'
CARRIED=$(du -sb "$CARRY" | cut -f1)
TREE=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
TOTAL=$((CARRIED + TREE))
echo "pack: carry $((CARRIED / 1024 / 1024)) MiB + tracked files $((TREE / 1024 / 1024)) MiB = $((TOTAL / 1024 / 1024)) MiB ($TOTAL bytes) of 64 MiB"
[ "$TOTAL" -lt $((64 * 1024 * 1024)) ] || { echo "pack: over the 64 MiB limit" >&2; exit 1; }
