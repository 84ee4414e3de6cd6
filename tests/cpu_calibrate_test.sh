#!/usr/bin/env bash
# The cpu cost profile end to end, small and quick: `calibrate --probe` writes a profile,
# `bench` on the cpu backend (tiny model, a few points) writes passes.csv with the cpu spec by
# default, and `calibrate` fits on batch-1 rows, reports the error on the held-out batch-2 rows
# (per group, finite), writes the fitted profile, and gates on --max-error. No assertion on a
# measured time beyond being a finite number.
#   cpu_calibrate_test.sh LOCKSTEP_BIN
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
source tests/check_lib.sh

"$bin" calibrate --probe --out "$tmp/profile.json" >"$tmp/probe.out" 2>&1
check "calibrate --probe exits 0" test $? = 0
check "the probe prints bandwidth, gemm, attention and step overhead" \
  bash -c "grep -q 'bandwidth' '$tmp/probe.out' && grep -q 'gemm ' '$tmp/probe.out' && grep -q 'attention' '$tmp/probe.out' && grep -q 'step overhead' '$tmp/probe.out'"
check "the profile names its format" grep -q '"format": "lockstep-cpu-profile-1"' "$tmp/profile.json"
check "the profile names the GEMM kernel it was probed on" \
  grep -qE '"gemm_kernel": "(double_serial|double_threaded|float_threaded|int8_avx2)"' "$tmp/profile.json"

"$bin" bench scenarios/model_drafter_independent.json --backend cpu --strategies ar,eqspec \
  --batch-sizes 1,2 --repeats 1 --warmup 0 --max-new-tokens 6 --out "$tmp/bench" \
  >"$tmp/bench.out" 2>"$tmp/bench.err"
check "bench on the cpu backend exits 0" test $? = 0
check "passes.csv carries the cpu spec of the scenario's models by default" \
  bash -c "sed -n 2p '$tmp/bench/passes.csv' | grep -q '^cpu:tiny/draft-tiny:int8,'"

"$bin" calibrate "$tmp/bench/passes.csv" >"$tmp/noprofile.out" 2>&1
check "a cpu CSV without --profile is bad input (exit 2)" test $? = 2
check "the error says to give --profile" grep -q -- "--profile" "$tmp/noprofile.out"

"$bin" calibrate "$tmp/bench/passes.csv" --profile "$tmp/profile.json" --fit-rows 1 \
  --holdout-rows 2 --write-profile "$tmp/fitted.json" >"$tmp/cal.out" 2>&1
check "calibrate fits bench's cpu CSV (exit 0)" test $? = 0
check "the fit reports its error" grep -q "fit error      mean |error|" "$tmp/cal.out"
check "the held-out rows are reported per group" \
  bash -c "grep -q 'held-out error mean |error|' '$tmp/cal.out' && grep -qE '^  (target|draft) +2 ' '$tmp/cal.out'"
check "every error is finite" bash -c "! grep -qiE 'nan|inf' '$tmp/cal.out'"
check "the fitted profile is written" grep -q '"fitted"' "$tmp/fitted.json"

# A profile prices only the kernel it was probed on: under another kernel calibrate refuses it.
other=double_serial
grep -q '"gemm_kernel": "double_serial"' "$tmp/profile.json" && other=float_threaded
LOCKSTEP_GEMM_KERNEL=$other "$bin" calibrate "$tmp/bench/passes.csv" --profile "$tmp/profile.json" \
  --fit-rows 1 >"$tmp/kernel.out" 2>&1
check "a profile of another GEMM kernel is bad input (exit 2)" test $? = 2
check "the error names gemm_kernel and the kernel in use" \
  bash -c "grep -q gemm_kernel '$tmp/kernel.out' && grep -q '$other' '$tmp/kernel.out'"

"$bin" calibrate "$tmp/bench/passes.csv" --profile "$tmp/fitted.json" --fit-rows 1 \
  --holdout-rows 2 --max-error 0 >"$tmp/gate.out" 2>&1
check "--max-error 0 fails the gate (exit 1)" test $? = 1

finish
