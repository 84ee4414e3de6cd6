#!/usr/bin/env bash
# Sharding past one machine: 3 shards of `lockstep replay --random` and of `lockstep sweep`,
# joined by `lockstep merge`, equal one run byte for byte (report text, exit status, CSV);
# bad --shard values and incomplete or mixed shard sets are refused with exit 2.
#   shard_test.sh LOCKSTEP_BIN
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
source tests/check_lib.sh
# refused DESCRIPTION PATTERN COMMAND...: exit 2 and PATTERN in stderr.
refused() {
  local what=$1 pattern=$2; shift 2
  "$@" >"$tmp/refused.out" 2>"$tmp/refused.err"
  local rc=$?
  check "$what: exit 2 (got $rc)" test "$rc" = 2
  check "$what: says '$pattern'" grep -q -e "$pattern" "$tmp/refused.err"
}

# replay_case NAME EXPECTED_RC ARGS...: one run, then 3 shards merged, compared.
replay_case() {
  local name=$1 expected=$2; shift 2
  "$bin" replay "$@" >"$tmp/$name.single" 2>"$tmp/$name.single.err"
  check "$name: the single run exits $expected" test $? = "$expected"
  for i in 0 1 2; do
    "$bin" replay "$@" --shard "$i/3" --report "$tmp/$name.$i.jsonl" >/dev/null 2>&1
  done
  # Shards in a scrambled order: merge sorts by scenario index.
  "$bin" merge "$tmp/$name.2.jsonl" "$tmp/$name.0.jsonl" "$tmp/$name.1.jsonl" \
    >"$tmp/$name.merged" 2>"$tmp/$name.merged.err"
  check "$name: merge exits $expected like the single run" test $? = "$expected"
  check "$name: merged report = single report, byte for byte" \
    cmp "$tmp/$name.single" "$tmp/$name.merged"
}

replay_case identical 0 --random 7 --seed 5 --backends symbolic,symbolic
check "identical: the closing line counts all 7" \
  grep -q "^lockstep replay: 7 of 7 scenarios identical on symbolic and symbolic$" \
  "$tmp/identical.merged"
# cpu differs from symbolic in its logits digests: every scenario diverges, with reproducers.
replay_case divergent 1 --random 4 --seed 3 --backends symbolic,cpu
check "divergent: divergences and reproducers are merged" \
  test "$(grep -c "DIVERGENT\|reproduce:" "$tmp/divergent.merged")" -ge 2
check "divergent: a shard with a divergence exits 1" \
  bash -c "'$bin' replay --random 4 --seed 3 --backends symbolic,cpu --shard 1/3 >/dev/null 2>&1; test \$? = 1"

# Sweep: 3 shards of a small grid merged = the single run's CSV.
sweep=(sweep --strategies ar,eqspec,exspec --batch-sizes 1,2,4 --k 2,3 --prompts 6
       --max-new-tokens 8 --cost h200:vicuna-7b/vicuna-68m --quiet)
"$bin" "${sweep[@]}" --jobs 2 --out "$tmp/sweep.csv" 2>/dev/null
check "sweep: the single run exits 0" test $? = 0
for i in 0 1 2; do
  "$bin" "${sweep[@]}" --jobs "$((i + 1))" --shard "$i/3" --out "$tmp/sweep.$i.csv" 2>/dev/null
done
"$bin" merge "$tmp/sweep.1.csv" "$tmp/sweep.2.csv" "$tmp/sweep.0.csv" --out "$tmp/merged.csv" \
  2>/dev/null
check "sweep: merge exits 0" test $? = 0
check "sweep: merged CSV = single CSV, byte for byte" cmp "$tmp/sweep.csv" "$tmp/merged.csv"
check "sweep: the grid has rows" test "$(wc -l <"$tmp/merged.csv")" -gt 10
if command -v gnuplot >/dev/null; then
  "$bin" "${sweep[@]}" --out "$tmp/plotted.csv" --plots "$tmp/plots1" 2>/dev/null
  "$bin" merge "$tmp/sweep.0.csv" "$tmp/sweep.1.csv" "$tmp/sweep.2.csv" --out "$tmp/merged2.csv" \
    --plots "$tmp/plots3" 2>/dev/null
  check "sweep: merge --plots exits 0" test $? = 0
  check "sweep: merge --plots writes the single run's plot script" \
    cmp "$tmp/plots1/plots.gp" "$tmp/plots3/plots.gp"
  check "sweep: merge --plots renders the throughput plot" test -s "$tmp/plots3/throughput.svg"
fi

# Bad --shard values and shard sets.
refused "--shard 3/3" "index I must be 0..2" "$bin" replay --random 2 --backends symbolic,symbolic --shard 3/3
refused "--shard 0/0" "count M must be >= 1" "$bin" "${sweep[@]}" --shard 0/0
refused "--shard x" "must be I/M.*'x'" "$bin" "${sweep[@]}" --shard x
refused "--shard -1/2" "index I must be 0..1" "$bin" replay --random 2 --backends symbolic,symbolic --shard -1/2
refused "missing shard" "missing shard 1/3" "$bin" merge "$tmp/sweep.0.csv" "$tmp/sweep.2.csv"
refused "duplicated shard" "shard 0/3 given twice" \
  "$bin" merge "$tmp/identical.0.jsonl" "$tmp/identical.0.jsonl" "$tmp/identical.1.jsonl"
refused "mixed kinds" "merge one kind at a time" \
  "$bin" merge "$tmp/sweep.0.csv" "$tmp/identical.1.jsonl" "$tmp/identical.2.jsonl"
refused "shards of different replays" "different replays" \
  "$bin" merge "$tmp/identical.0.jsonl" "$tmp/divergent.1.jsonl" "$tmp/divergent.2.jsonl"
"$bin" replay --random 7 --seed 5 --backends symbolic,symbolic --shard 1/2 --report "$tmp/half.jsonl" \
  >/dev/null 2>&1
refused "shards of different M" "same number M" \
  "$bin" merge "$tmp/identical.0.jsonl" "$tmp/half.jsonl" "$tmp/identical.2.jsonl"
head -n 3 "$tmp/sweep.1.csv" >"$tmp/truncated.csv"
refused "a truncated sweep shard" "shard 1/3 is truncated" \
  "$bin" merge "$tmp/sweep.0.csv" "$tmp/truncated.csv" "$tmp/sweep.2.csv"
head -n 2 "$tmp/identical.1.jsonl" >"$tmp/truncated.jsonl"
refused "a truncated replay report" "shard 1/3) lacks scenario" \
  "$bin" merge "$tmp/identical.0.jsonl" "$tmp/truncated.jsonl" "$tmp/identical.2.jsonl"
refused "--plots with --shard" "give --plots to .lockstep merge" \
  "$bin" "${sweep[@]}" --shard 0/3 --plots "$tmp/plots"

finish
