#!/usr/bin/env bash
# Runs vit4j on a CUDA GPU and writes a report: the script for a machine with Python, a CUDA build of
# torch, timm, nvcc, CMake and ninja, but no Java and no network. It needs the carry that
# src/gpu/pack.sh builds (target/gpu-carry) beside the working tree.
#
#   OUT=/some/dir src/gpu/run.sh            # report in $OUT/report.md, raw results in $OUT/*.json, logs
#
# Steps and the time each is expected to take on one H200 host with 16 cores (about 10 minutes in all):
#   1 environment   torch, CUDA, GPU, timm versions                               ~10 s
#   2 jni           CMake + ninja -j16: DJL 0.36's libdjl_torch.so against torch   ~2-4 min
#   3 place         the JNI beside torch's libtorch.so, where DJL looks first      ~1 s
#   4 check         GpuCheck forward (eager fp32, compiled fp32/bf16) + train step ~1-2 min
#   5 predict       `vit4j predict sample-images/` on the CPU and on the GPU       ~30 s
#   6 time-vit4j    ViT-B/16 224 compiled fp32/bf16, batch 1 and 128               ~1 min
#   7 time-timm     timm eager, the same four settings                            ~1 min
#   8 report        report.md from the JSON files                                  ~1 s
# A step that fails is logged in $OUT/steps.tsv and the next steps still run where they can; the
# report is written in any case. Environment knobs: CARRY, OUT, JOBS (ninja -j), SECONDS_PER_TIMING,
# DEADLINE (seconds for the whole run, default 570), PYTHON, WORK (build folder).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CARRY="${CARRY:-$ROOT/target/gpu-carry}"
OUT="${OUT:?set OUT to the folder for the report}"
JOBS="${JOBS:-16}"
SECS="${SECONDS_PER_TIMING:-5}"
PY="${PYTHON:-python3}"
WORK="${WORK:-$(mktemp -d)}"
# the whole run ends by DEADLINE seconds (the device tool allows 600 per command); each step's limit
# shrinks to what is left, keeping 15 s for the report
DEADLINE="${DEADLINE:-570}"
mkdir -p "$OUT/logs"
: > "$OUT/steps.tsv"
cd "$ROOT"

# step NAME TIMEOUT_S COMMAND...: runs it with its log in $OUT/logs/NAME.log, records status and seconds.
# A shell function runs as it is (it puts `timeout` on its own commands); a program runs under `timeout`.
step() {
  local name=$1 limit=$2; shift 2
  local t0=$SECONDS rc left=$((DEADLINE - SECONDS - 15))
  [ "$name" = report ] && left=$((limit))
  if [ "$left" -le 5 ]; then
    printf '%s\tskipped: past the %ss deadline\t0\n' "$name" "$DEADLINE" >> "$OUT/steps.tsv"
    return 1
  fi
  [ "$left" -lt "$limit" ] && limit=$left
  echo "run: $name (limit ${limit}s)" >&2
  if declare -F "$1" > /dev/null; then
    "$@" > "$OUT/logs/$name.log" 2>&1
  else
    timeout "$limit" "$@" > "$OUT/logs/$name.log" 2>&1
  fi
  rc=$?
  printf '%s\t%s\t%s\n' "$name" "$rc" "$((SECONDS - t0))" >> "$OUT/steps.tsv"
  tail -3 "$OUT/logs/$name.log" >&2
  return $rc
}

# 1 environment
step environment 60 "$PY" - "$OUT/environment.json" <<'EOF'
import json, platform, subprocess, sys
import torch
info = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
        "cuda_available": torch.cuda.is_available(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch_lib": __import__("os").path.join(__import__("os").path.dirname(torch.__file__), "lib"),
        "cmake_prefix_path": torch.utils.cmake_prefix_path}
try:
    import timm
    info["timm"] = timm.__version__
except Exception as e:  # timing against timm is skipped without it
    info["timm"] = "missing: %s" % e
try:
    info["nvidia_smi"] = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total",
                                         "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
except OSError as e:
    info["nvidia_smi"] = str(e)
json.dump(info, open(sys.argv[1], "w"), indent=2)
print(json.dumps(info, indent=2))
EOF
TORCH_LIB="$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["torch_lib"])' "$OUT/environment.json" 2>/dev/null)"
TORCH_VERSION="$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])' 2>/dev/null)"
# torch's headers need C++17 up to 2.11 and C++20 from 2.12/2.13 on ("C++20 or later ... required to use ATen")
CXX_STD="$("$PY" -c 'import torch; v = tuple(int(x) for x in torch.__version__.split("+")[0].split(".")[:2]); print(20 if v >= (2, 12) else 17)' 2>/dev/null || echo 17)"
CUDA_FLAVOR="cu$("$PY" -c 'import torch; print((torch.version.cuda or "").replace(".", ""))' 2>/dev/null)"

# 2 jni: DJL's sources from the carry, compiled against this torch (CUDA on); never against another torch
# CMake might find on the system, hence the explicit Torch_DIR
TORCH_PREFIX="$("$PY" -c 'import torch; print(torch.utils.cmake_prefix_path)' 2>/dev/null)"
[ -n "$TORCH_PREFIX" ] && [ -n "$TORCH_LIB" ] && step jni-configure 120 cmake -G Ninja -S src/gpu/jni -B "$WORK/jni" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$TORCH_PREFIX" -DTorch_DIR="$TORCH_PREFIX/Torch" \
  -DDJL_NATIVE="$CARRY/djl/native" -DDJL_API_NATIVE="$CARRY/djl/api-native" \
  -DJNI_INCLUDE="$CARRY/jni/include" -DUSE_CUDA=ON -DDJL_CXX_STANDARD="$CXX_STD" \
  && step jni-build 420 cmake --build "$WORK/jni" -- -j "$JOBS" -k 0
[ -n "$TORCH_PREFIX" ] || printf 'jni-configure\tskipped: python has no torch\t0\n' >> "$OUT/steps.tsv"

# 3 place: DJL (LibUtils.findJniLibrary) takes libdjl_torch.so from the PYTORCH_LIBRARY_PATH folder first;
# that folder is torch's own lib/, so libtorch's dependencies (nvidia/*/lib via its RUNPATH) resolve as in Python.
place() {
  [ -n "$TORCH_LIB" ] && [ -d "$TORCH_LIB" ] || { echo "place: no torch lib folder"; return 1; }
  cp "$WORK/jni/libdjl_torch.so" "$TORCH_LIB/libdjl_torch.so" || return 1
  # DJL counts GPUs through JNA's libcudart.so (CudaUtils); pip's CUDA runtime has only libcudart.so.NN
  mkdir -p "$WORK/cudart"
  local rt
  rt="$(find "$(dirname "$(dirname "$TORCH_LIB")")/nvidia" /usr/local/cuda/lib64 -name 'libcudart.so*' 2>/dev/null | head -1)"
  [ -n "$rt" ] && ln -sf "$rt" "$WORK/cudart/libcudart.so"
  echo "jni: $TORCH_LIB/libdjl_torch.so; cudart: ${rt:-not found}"
}
step place 30 place

export DJL_OFFLINE=true OPT_OUT_TRACKING=true
export PYTORCH_LIBRARY_PATH="$TORCH_LIB" PYTORCH_VERSION="$TORCH_VERSION" PYTORCH_FLAVOR="$CUDA_FLAVOR"
NVLIBS="$(find "$(dirname "$(dirname "$TORCH_LIB")")/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | paste -sd: -)"
export LD_LIBRARY_PATH="$WORK/cudart:$TORCH_LIB:${NVLIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
JAVA=("$CARRY/java/bin/java" -Dai.djl.offline=true -Djava.awt.headless=true -Djna.library.path="$WORK/cudart"
  -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CARRY/app/classes:$CARRY/app/vit4j.jar:$CARRY/app/lib/*")

# 4 check: GPU against CPU, forward and one training step
step check 300 "${JAVA[@]}" org.vit4j.gpu.GpuCheck --fixtures src/test/resources --out "$OUT/check.json" \
  --target gpu --only forward,train

# 5 predict: the CLI's output on the GPU equals the CPU's
predict() {
  timeout 90 "${JAVA[@]}" org.vit4j.cli.Vit4j predict --device cpu sample-images/ > "$OUT/predict-cpu.txt" || return 1
  timeout 90 "${JAVA[@]}" org.vit4j.cli.Vit4j predict --device gpu sample-images/ > "$OUT/predict-gpu.txt" || return 1
  diff "$OUT/predict-cpu.txt" "$OUT/predict-gpu.txt" && echo "predict: identical"
}
step predict 180 predict

# 6 and 7: images/s, ViT-B/16 at 224
step time-vit4j 240 "${JAVA[@]}" org.vit4j.gpu.GpuCheck --fixtures src/test/resources --out "$OUT/time-vit4j.json" \
  --target gpu --only time --seconds "$SECS"
step time-timm 240 "$PY" src/gpu/timm_speed.py --seconds "$SECS" --out "$OUT/time-timm.json"

# 8 report
step report 30 "$PY" src/gpu/report.py "$OUT"
cat "$OUT/report.md" 2>/dev/null || true
