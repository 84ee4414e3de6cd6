#!/usr/bin/env bash
# The device checks of issue 6 (items 4-6 need an H200; nothing here fakes a figure):
#   1. the device tests (tests/gpu): numerics on sm_90 vs g++, device weights, the cuBLASLt
#      shape sweep (M 1..64, odd K and N padded) vs an int64 CPU product, forward passes,
#      move plans and crops vs the cpu backend, batch/padding/shape invariance on the GPU;
#   2. `lockstep replay` of every scenario in scenarios/ on cpu,gpu;
#   3. `lockstep replay --random 200` on cpu,gpu.
# Every step's exact command, date and output go to docs/results/gpu-check-<UTC date>/.
#
# Usage:
#   scripts/gpu-device-check.sh                     build with the default preset, then check
#   scripts/gpu-device-check.sh --prebuilt DIR      use binaries already built in DIR (DIR/bin,
#                                                   shared libraries in DIR/lib if present)
#   scripts/gpu-device-check.sh --bundle DIR        on the BUILD machine: copy the built
#                                                   binaries and the non-system, non-CUDA
#                                                   shared libraries they need into DIR, for a
#                                                   device machine without Debian packages
#   --random N (default 200), --seed S (default 20261129), --out DIR (results folder)
set -uo pipefail
cd "$(dirname "$0")/.."

prebuilt=""
bundle=""
random=200
seed=20261129
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift 2 ;;
    --bundle) bundle="$2"; shift 2 ;;
    --random) random="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "gpu-device-check: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ -n "$bundle" ]; then
  build="${prebuilt:-build/default}"
  mkdir -p "$bundle/bin" "$bundle/lib"
  for exe in lockstep test_gpu_host test_gpu_device; do
    [ -x "$build/bin/$exe" ] || { echo "missing $build/bin/$exe: build first" >&2; exit 2; }
    cp "$build/bin/$exe" "$bundle/bin/"
    # Every resolved library except glibc's, the C++ runtime's and CUDA's (the device has CUDA).
    ldd "$build/bin/$exe" | awk '/=> \//{print $3}' | while read -r lib; do
      case "$(basename "$lib")" in
        libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*) ;;
        libcuda.so*|libcublas*.so*|libnvidia*) ;;  # driver and cuBLAS(Lt) 13 must be on the device
        *) cp -L "$lib" "$bundle/lib/" ;;
      esac
    done
  done
  du -sh "$bundle"
  exit 0
fi

stamp="$(date -u +%Y-%m-%dT%H%MZ)"
out="${out:-docs/results/gpu-check-$stamp}"
mkdir -p "$out"
summary="$out/README.md"
failures=0

if [ -z "$prebuilt" ]; then
  build=build/default
  {
    echo "\$ cmake --preset default && cmake --build --preset default -j$(nproc)"
    cmake --preset default && cmake --build --preset default -j"$(nproc)"
  } >"$out/build.log" 2>&1 || { echo "build failed: see $out/build.log" >&2; exit 2; }
else
  build="$prebuilt"
  # Carried libraries first, then the device's CUDA toolkit (libcublasLt.so.13).
  [ -d "$build/lib" ] && export LD_LIBRARY_PATH="$(cd "$build/lib" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/cuda/lib64:/usr/local/cuda/lib"
fi
bin="$build/bin"

# step NAME COMMAND...: runs it, logs command + date + output + exit status, records the result.
step() {
  local name="$1"; shift
  local log="$out/$name.log"
  {
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# command: $*"
  } >"$log"
  local start=$SECONDS
  "$@" >>"$log" 2>&1
  local rc=$?
  echo "# exit status: $rc, $((SECONDS - start)) s" >>"$log"
  local verdict="PASS"
  [ "$rc" = 0 ] || { verdict="FAIL (exit $rc)"; failures=$((failures + 1)); }
  echo "| $name | \`$*\` | $verdict | $((SECONDS - start)) s |" >>"$summary"
  echo "$name: $verdict"
}

{
  echo "# GPU device check, $stamp"
  echo
  echo "Written by scripts/gpu-device-check.sh; every figure below comes from the logs beside this file."
  echo
  echo '```'
  echo "date -u: $(date -u)"
  echo "host: $(uname -n) $(uname -m)"
  echo "commit: $(git rev-parse HEAD 2>/dev/null || echo 'unknown (no .git)')"
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>&1
  else
    echo "nvidia-smi unavailable"
  fi
  (command -v nvcc >/dev/null && nvcc --version | tail -2) || echo "nvcc not on PATH"
  echo '```'
  echo
  echo "| step | command | result | time |"
  echo "|---|---|---|---|"
} >"$summary"

step device-tests "$bin/test_gpu_device" --log_level=message --report_level=short
step host-tests "$bin/test_gpu_host" --report_level=short
specbench_data=""
for candidate in ../shared/data/specbench/question.jsonl shared/data/specbench/question.jsonl; do
  [ -f "$candidate" ] && { specbench_data="$candidate"; break; }
done
for scenario in scenarios/*.json; do
  name="$(basename "$scenario" .json)"
  if [ "$name" = specbench ]; then
    if [ -z "$specbench_data" ]; then
      echo "| replay-$name | (no SpecBench data at ../shared/data/specbench) | SKIPPED | |" >>"$summary"
      continue
    fi
    step "replay-$name" "$bin/lockstep" replay "$scenario" --backends cpu,gpu --specbench "$specbench_data"
    continue
  fi
  step "replay-$name" "$bin/lockstep" replay "$scenario" --backends cpu,gpu
done
step replay-random "$bin/lockstep" replay --random "$random" --seed "$seed" --backends cpu,gpu

echo >>"$summary"
echo "failures: $failures" >>"$summary"
echo "results in $out (failures: $failures)"
[ "$failures" = 0 ]
