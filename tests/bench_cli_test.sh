#!/usr/bin/env bash
# `lockstep bench` end to end on the symbolic backend: the tables and plots are written, the
# per-pass CSV is exactly what `lockstep calibrate` reads, and a run that is not exact is
# refused with exit 1 and nothing written.
#   bench_cli_test.sh LOCKSTEP_BIN
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
source tests/check_lib.sh

"$bin" bench scenarios/uniform_acceptance.json --backend symbolic --strategies ar,eqspec,exspec,packed \
  --batch-sizes 1,4 --k 2,5 --repeats 2 --warmup 0 --cost h200:vicuna-7b/vicuna-68m \
  --out "$tmp/ok" >"$tmp/ok.out" 2>"$tmp/ok.err"
check "bench exits 0 on an exact grid" test $? = 0
check "bench.csv has a header and 4 x 2 x 2 points" test "$(wc -l <"$tmp/ok/bench.csv")" = 17
check "bench.csv names every strategy" \
  bash -c "cut -d, -f2 '$tmp/ok/bench.csv' | sort -u | tr '\n' ' ' | grep -q 'ar eqspec exspec packed strategy'"
check "the progress bar reaches the end" grep -q "16/16\|done" "$tmp/ok.err"
check "passes.csv starts with calibrate's header" \
  test "$(head -1 "$tmp/ok/passes.csv")" = "cost,role,rows,tokens,kv,measured_seconds"
check "gnuplot scripts are written" test -s "$tmp/ok/throughput.gp" -a -s "$tmp/ok/stage_shares.gp"
"$bin" calibrate "$tmp/ok/passes.csv" >"$tmp/cal.out" 2>&1
check "calibrate reads bench's passes.csv" test $? = 0
check "calibrate fitted every row bench wrote" \
  grep -q -e "$(($(wc -l <"$tmp/ok/passes.csv") - 1)) measured rows" "$tmp/cal.out"

# A layout fault breaks equivalence: the bench must refuse and write nothing.
python3 - scenarios/ragged_worst_case.json "$tmp/faulty.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["faults"] = ["stale-kv-after-rejection"]
json.dump(s, open(sys.argv[2], "w"))
PY
"$bin" bench "$tmp/faulty.json" --backend symbolic --strategies eqspec --batch-sizes 4 \
  --repeats 1 --out "$tmp/refused" >"$tmp/refused.out" 2>"$tmp/refused.err"
check "an inexact bench exits 1" test $? = 1
check "the refusal says why" grep -q "REFUSED" "$tmp/refused.err"
check "a refused bench writes nothing" test ! -e "$tmp/refused/bench.csv"

"$bin" bench --strategies nonsense --batch-sizes 1 --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
check "an unknown strategy is bad input (exit 2)" test $? = 2
check "the error names the unknown strategy" grep -q "nonsense" "$tmp/bad.err"

finish
