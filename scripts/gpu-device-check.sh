#!/usr/bin/env bash
# The GPU device check: one prepared command for the first run on an H200 (no figure is faked;
# every result comes from a log this script writes). In order:
#   1. the cuBLASLt int8 shape sweep alone (the riskiest call: the smallest padded shapes),
#      with cuBLASLt's error and hint logging on;
#   2. the other device tests (tests/gpu) and the host tests;
#   3. the trace digests of every library scenario x strategy and of 60 random scenarios on the
#      gpu backend, against the cpu digests of tests/golden/traces_v1.txt (the traces carry no
#      backend name, so gpu must equal cpu byte for byte);
#   4. `lockstep replay` of every scenario in scenarios/ on cpu,gpu, then --random N;
#   5. the float and bf16 profiles (issue 13): the CLI checks of tests/gpu/float_cli_test.sh,
#      then `lockstep equivalence` of scenarios/numerics/bf16_diverges.json on the gpu backend
#      under float and bf16 (CSV files under OUT/equivalence-gpu/; exact is step 3's);
#   6. whatever EXTRA_STEPS names (a file of "name command..." lines), for later issues.
# Every step runs under its own timeout; its command, date, output and exit status go to
# OUT/<step>.log, and OUT/README.md gets a table row the moment the step ends, so a hang or a
# kill still leaves a summary. With --archive FILE, OUT is also packed into FILE (tar.gz) at
# exit, whatever happened: a remote runner that brings back only a few files gets all logs.
#
# Usage:
#   scripts/gpu-device-check.sh                     build with the default preset, then check
#   scripts/gpu-device-check.sh --bundle DIR        on the BUILD machine: copy the built
#                                                   binaries (debug info stripped), the
#                                                   non-system, non-CUDA shared libraries they
#                                                   need and the SpecBench data into DIR
#   scripts/gpu-device-check.sh --prebuilt DIR      on the DEVICE machine: use DIR/bin, DIR/lib
#                                                   and DIR/data from --bundle
#   --random N (default 200)   --seed S (default 20261129)   --out DIR (results folder)
#   --archive FILE             also pack the results folder into FILE (tar.gz)
#   --step-timeout S           seconds each step may run (default 240)
#   --specbench PATH           SpecBench question.jsonl (default: the bundle's, else beside
#                              the checkout)
set -uo pipefail
cd "$(dirname "$0")/.."

prebuilt=""
bundle=""
random=200
seed=20261129
out=""
archive=""
step_timeout=240
specbench_data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prebuilt) prebuilt="$2"; shift 2 ;;
    --bundle) bundle="$2"; shift 2 ;;
    --random) random="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --archive) archive="$2"; shift 2 ;;
    --step-timeout) step_timeout="$2"; shift 2 ;;
    --specbench) specbench_data="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "gpu-device-check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

default_specbench=../shared/data/specbench/question.jsonl

# --- on the build machine: the bundle ---------------------------------------------------------
if [ -n "$bundle" ]; then
  build="${prebuilt:-build/default}"
  rm -rf "$bundle" && mkdir -p "$bundle/bin" "$bundle/lib" "$bundle/data/specbench"
  for exe in lockstep test_gpu_host test_gpu_device; do
    [ -x "$build/bin/$exe" ] || { echo "gpu-device-check: missing $build/bin/$exe: build first" >&2; exit 2; }
    cp "$build/bin/$exe" "$bundle/bin/"
    strip --strip-debug "$bundle/bin/$exe"
    # Every resolved library except glibc's, the C++ runtime's and CUDA's (the device has CUDA).
    ldd "$build/bin/$exe" | awk '/=> \//{print $3}' | while read -r lib; do
      case "$(basename "$lib")" in
        libc.so*|libm.so*|libdl.so*|libpthread.so*|librt.so*|ld-linux*|libgcc_s.so*|libstdc++.so*) ;;
        libcuda.so*|libcublas*.so*|libnvidia*) ;;  # the driver and cuBLAS(Lt) 13 are the device's
        *) cp -L "$lib" "$bundle/lib/" ;;
      esac
    done
  done
  data="${specbench_data:-$default_specbench}"
  if [ -f "$data" ]; then
    cp "$data" "$bundle/data/specbench/question.jsonl"
  else
    echo "gpu-device-check: no SpecBench data at '$data': the bundle replays specbench.json skipped" >&2
  fi
  du -sh "$bundle"
  exit 0
fi

# --- on the device machine --------------------------------------------------------------------
stamp="$(date -u +%Y-%m-%dT%H%MZ)"
out="${out:-docs/results/gpu-check-$stamp}"
mkdir -p "$out"
summary="$out/README.md"
failures=0
pack_archive() {
  [ -n "$archive" ] || return 0
  tar -czf "$archive" -C "$(dirname "$out")" "$(basename "$out")" 2>/dev/null &&
    echo "gpu-device-check: results packed into $archive"
}
trap pack_archive EXIT

if [ -z "$prebuilt" ]; then
  build=build/default
  {
    echo "\$ cmake --preset default && cmake --build --preset default -j$(nproc)"
    cmake --preset default && cmake --build --preset default -j"$(nproc)"
  } >"$out/build.log" 2>&1 || { echo "gpu-device-check: build failed: see $out/build.log" >&2; exit 2; }
else
  build="$prebuilt"
  [ -d "$build/lib" ] && export LD_LIBRARY_PATH="$(cd "$build/lib" && pwd)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  [ -z "$specbench_data" ] && [ -f "$build/data/specbench/question.jsonl" ] &&
    specbench_data="$build/data/specbench/question.jsonl"
fi
[ -z "$specbench_data" ] && [ -f "$default_specbench" ] && specbench_data="$default_specbench"
bin="$build/bin"

# The binaries' run path names the build machine's CUDA folder: where a library is "not found",
# add the first folder on this machine that holds it (CUDA 13's cuBLAS and runtime).
find_cuda_lib() {
  local name="$1" dir
  for dir in /usr/local/cuda/lib64 /usr/local/cuda/lib /usr/local/cuda-13*/lib64 \
             /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/targets/x86_64-linux/lib \
             /usr/lib/x86_64-linux-gnu /opt/*/.venv/lib/python3*/site-packages/nvidia/cu13/lib \
             /opt/*/.venv/lib/python3*/site-packages/nvidia/cublas/lib \
             /usr/local/lib/python3*/dist-packages/nvidia/cu13/lib \
             /usr/local/lib/python3*/dist-packages/nvidia/cublas/lib; do
    [ -e "$dir/$name" ] && { echo "$dir"; return 0; }
  done
  ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n {print $NF; exit}' | xargs -r dirname
}
resolve_libraries() {
  local exe missing lib dir
  for exe in "$bin"/lockstep "$bin"/test_gpu_device "$bin"/test_gpu_host; do
    [ -x "$exe" ] || continue
    missing=$(ldd "$exe" 2>/dev/null | awk '/not found/{print $1}')
    for lib in $missing; do
      dir=$(find_cuda_lib "$lib")
      if [ -n "$dir" ]; then
        export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"
        echo "resolved $lib in $dir"
      else
        echo "NOT FOUND: $lib (needed by $(basename "$exe"))"
      fi
    done
  done
  ldd "$bin/lockstep" "$bin/test_gpu_device" 2>&1 | grep -E "cublas|cudart|not found" || true
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
  echo "Libraries:"
  echo '```'
  resolve_libraries 2>&1
  echo '```'
  echo
  echo "| step | command | result | time |"
  echo "|---|---|---|---|"
} >"$summary"

# step NAME COMMAND...: runs it under the step timeout, logs command + date + output + exit
# status, and appends the step's row to the summary as soon as it ends.
step() {
  local name="$1"; shift
  local log="$out/$name.log"
  {
    echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# command: $*"
  } >"$log"
  local start=$SECONDS
  CUBLASLT_LOG_MASK=5 CUBLASLT_LOG_FILE="$out/cublaslt-$name.log" \
    timeout --kill-after=10 "$step_timeout" "$@" >>"$log" 2>&1
  local rc=$?
  echo "# exit status: $rc, $((SECONDS - start)) s" >>"$log"
  local verdict="PASS"
  case "$rc" in
    0) ;;
    77) verdict="SKIPPED" ;;
    124|137) verdict="TIMED OUT after ${step_timeout} s"; failures=$((failures + 1)) ;;
    *) verdict="FAIL (exit $rc)"; failures=$((failures + 1)) ;;
  esac
  echo "| $name | \`$*\` | $verdict | $((SECONDS - start)) s |" >>"$summary"
  echo "$name: $verdict"
}

step gemm-shape-sweep "$bin/test_gpu_device" --run_test=int8_gemm_equals_an_int64_product_over_the_shape_sweep \
  --log_level=message --report_level=short
step device-tests "$bin/test_gpu_device" --log_level=message --report_level=short
step host-tests "$bin/test_gpu_host" --report_level=short
step golden-traces bash tests/golden_traces_test.sh "$bin/lockstep" --gpu "${specbench_data:-none}"
for scenario in scenarios/*.json; do
  name="$(basename "$scenario" .json)"
  if [ "$name" = specbench ] && [ -z "$specbench_data" ]; then
    echo "| replay-$name | (no SpecBench data) | SKIPPED | |" >>"$summary"
    continue
  fi
  step "replay-$name" "$bin/lockstep" replay "$scenario" --backends cpu,gpu \
    ${specbench_data:+--specbench "$specbench_data"}
done
step replay-random "$bin/lockstep" replay --random "$random" --seed "$seed" --backends cpu,gpu
step gpu-float-cli bash tests/gpu/float_cli_test.sh "$bin/lockstep" device
step gpu-float-equivalence "$bin/lockstep" equivalence scenarios/numerics/bf16_diverges.json \
  --backend gpu --numerics float,bf16 --out "$out/equivalence-gpu"
if [ -n "${EXTRA_STEPS:-}" ] && [ -f "$EXTRA_STEPS" ]; then
  while read -r name cmd; do
    [ -n "$name" ] && [ "${name#\#}" = "$name" ] || continue
    eval "step \"$name\" $cmd"
  done <"$EXTRA_STEPS"
fi

echo >>"$summary"
echo "failures: $failures" >>"$summary"
echo "results in $out (failures: $failures)"
[ "$failures" = 0 ]
