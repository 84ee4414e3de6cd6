#!/usr/bin/env bash
# The measurement behind docs/results/2026-11-30-cpu-cost-model.md: probe this machine, bench
# the cpu backend one batch size at a time in interleaved rounds (so that the load of a shared
# machine drifts over every batch size alike), pass times on the thread's CPU clock, take each pass shape's median over the rounds,
# fit the cpu profile on batch 1 and 8 and report the error on batch 4 and 16.
#   measure.sh [LOCKSTEP_BIN] [OUT_DIR] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/../../.."
# The kernel is the one in use: the default (int8_avx2) unless LOCKSTEP_GEMM_KERNEL names
# another (the first figures, 2026-11-30, were double_serial); the probe records it and
# calibrate refuses a profile of another kernel (sim/cost_cpu.h). Probe and bench run on one
# thread (the thread's CPU clock), whatever LOCKSTEP_THREADS says.
echo "GEMM kernel: ${LOCKSTEP_GEMM_KERNEL:-int8_avx2 (default)}"
bin=${1:-build/default/bin/lockstep}
out=${2:-out/cpu-cost-model}
rounds=${3:-3}
scenario=docs/results/cpu-cost-model/cpu_cost_small.json
mkdir -p "$out"
"$bin" calibrate --probe --out "$out/profile.json" | tee "$out/probe.txt"
for round in $(seq "$rounds"); do
  for batch in 1 4 8 16; do
    "$bin" bench "$scenario" --strategies ar,eqspec,packed --batch-sizes "$batch" \
      --repeats 3 --warmup 1 --clock thread --out "$out/r$round-b$batch" >"$out/r$round-b$batch.txt" 2>/dev/null
  done
done
# One row per pass shape: the median over the rounds of bench's per-shape medians.
merge() {  # merge OUT.csv BATCH...
  local target=$1; shift
  python3 - "$target" "$out" "$rounds" "$@" <<'PY'
import csv, statistics, sys
target, out, rounds, batches = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
times = {}
for r in range(1, rounds + 1):
    for b in batches:
        with open(f"{out}/r{r}-b{b}/passes.csv") as f:
            for row in csv.DictReader(f):
                key = tuple(row[k] for k in ("cost", "role", "rows", "tokens", "kv"))
                times.setdefault(key, []).append(float(row["measured_seconds"]))
with open(target, "w") as f:
    f.write("cost,role,rows,tokens,kv,measured_seconds\n")
    for key, t in sorted(times.items()):
        f.write(",".join(key) + f",{statistics.median(t):.9g}\n")
PY
}
merge "$out/fit.csv" 1 8
merge "$out/holdout.csv" 4 16
"$bin" calibrate "$out/fit.csv" --profile "$out/profile.json" --holdout "$out/holdout.csv" \
  --write-profile "$out/fitted.json" | tee "$out/calibrate.txt"
