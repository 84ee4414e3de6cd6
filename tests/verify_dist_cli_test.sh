#!/usr/bin/env bash
# `lockstep verify-dist` end to end (issue 14 item 3): each case of the table below runs the
# command and expects its exit status (0: no test rejects the target distribution; 5: a test
# rejects it). Coupled sampling draws every token from the target's p, so it passes on the
# symbolic and the cpu backend; a layout fault that corrupts the target's context under
# coupled sampling biases the outputs and is caught. Also: the CSV's shape, progress on
# stderr, determinism, and bad input (exit 2, each bad value named).
#   verify_dist_cli_test.sh LOCKSTEP_BIN
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
source tests/check_lib.sh

# One line per case: DESCRIPTION | EXPECTED_EXIT | ARGUMENTS (after `verify-dist`).
# Adding a sampler to check is one line here. The rejection faults' seed counts are the
# smallest measured to reject (500 on cpu for all three; on the symbolic backend, whose draft
# and target share no candidates, only accept-if-p-ge-q shows, and from about 2000 seeds).
cases=$(cat <<'EOF'
coupled, symbolic, packed            | 0 | scenarios/sampled_coupled.json --seeds 1000 --positions 4
coupled, symbolic, eqspec batch 4    | 0 | scenarios/sampled_coupled.json --seeds 600 --positions 3 --strategy eqspec --batch-size 4
coupled, symbolic, top-k 3           | 0 | scenarios/sampled_coupled.json --seeds 600 --positions 3 --top-k 3 --top-p 1
coupled, cpu tiny preset             | 0 | scenarios/sampled_coupled.json --backend cpu --seeds 150 --positions 2
coupled, sample-key-batch-row (keeps p) | 0 | scenarios/sampled_coupled.json --seeds 600 --positions 3 --fault sample-key-batch-row
coupled, stale-kv-after-rejection    | 5 | scenarios/sampled_coupled.json --seeds 600 --positions 3 --fault stale-kv-after-rejection
coupled, eqspec pads-visible         | 5 | scenarios/sampled_coupled.json --seeds 600 --positions 3 --strategy eqspec --fault pads-visible
coupled, cpu stale-kv-after-rejection | 5 | scenarios/sampled_coupled.json --backend cpu --seeds 150 --positions 3 --fault stale-kv-after-rejection
rejection, symbolic                  | 0 | scenarios/sampled_rejection.json --seeds 1000
rejection, symbolic accept-if-p-ge-q | 5 | scenarios/sampled_rejection.json --seeds 2000 --fault rejection-accept-if-p-ge-q
rejection, cpu                        | 0 | scenarios/sampled_rejection.json --backend cpu --seeds 500
rejection, cpu residual-unnormalized  | 5 | scenarios/sampled_rejection.json --backend cpu --seeds 500 --fault rejection-residual-unnormalized
rejection, cpu bonus-from-q           | 5 | scenarios/sampled_rejection.json --backend cpu --seeds 500 --fault rejection-bonus-from-q
rejection, cpu accept-if-p-ge-q       | 5 | scenarios/sampled_rejection.json --backend cpu --seeds 500 --fault rejection-accept-if-p-ge-q
EOF
)

n=0
while IFS='|' read -r what expected args; do
  what=$(echo "$what" | xargs) expected=$(echo "$expected" | xargs)
  n=$((n + 1))
  # shellcheck disable=SC2086  # the arguments are words
  "$bin" verify-dist $args --out "$tmp/case$n" >"$tmp/case$n.out" 2>"$tmp/case$n.err"
  rc=$?
  check "$what: exit $expected (got $rc)" test "$rc" = "$expected"
  check "$what: a result line" grep -q "^  result " "$tmp/case$n.out"
  if [[ $expected = 5 ]]; then
    check "$what: REJECT rows in the CSV" test "$(awk -F, 'NR > 1 && $12 == 1' "$tmp/case$n/verify_dist.csv" | wc -l)" -gt 0
  fi
done <<<"$cases"

csv=$tmp/case1/verify_dist.csv
header="sequence,position,prefix_length,prefix,runs,bins,g,dof,p_value,level,impossible,rejected"
check "the CSV has its header" test "$(head -1 "$csv")" = "$header"
check "one CSV row per printed test" \
  test "$(($(wc -l <"$csv") - 1))" = "$(grep -c '^  seq ' "$tmp/case1.out")"
check "every test has prefix_length = position - 1 and dof = bins - 1" \
  test "$(awk -F, 'NR > 1 && ($3 != $2 - 1 || $8 != $6 - 1)' "$csv" | wc -l)" = 0
check "the levels sum to at most alpha (1e-3)" \
  awk -F, 'NR > 1 {s += $10} END {exit !(s <= 1e-3)}' "$csv"
check "progress on stderr" grep -q "verify-dist: runs 1000/1000" "$tmp/case1.err"
check "no partial file is left" test -z "$(ls "$tmp/case1" | grep partial)"
"$bin" verify-dist scenarios/sampled_coupled.json --seeds 1000 --positions 4 >"$tmp/again.out" 2>/dev/null
check "the same command prints the same bytes (but the csv line)" \
  cmp -s <(grep -v "^  csv " "$tmp/case1.out") "$tmp/again.out"

bad() {  # bad DESCRIPTION EXPECTED_TEXT ARGS...
  local what=$1 text=$2; shift 2
  "$bin" verify-dist "$@" --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
  local rc=$?
  check "$what: exit 2 (got $rc)" test $rc = 2
  check "$what: the error names it" grep -q -e "$text" "$tmp/bad.err"
}
s=scenarios/sampled_coupled.json
bad "--seeds 0" "\-\-seeds must be >= 1, got 0" $s --seeds 0
bad "--positions past max_new_tokens" "\-\-positions 17 exceeds" $s --positions 17
bad "--alpha 1" "\-\-alpha must be in (0, 1), got 1" $s --alpha 1
bad "--min-group 5" "\-\-min-group must be >= 10, got 5" $s --min-group 5
bad "greedy" "temperature" $s --temperature 0
bad "every bad value at once" "seeds.*positions.*alpha" $s --seeds 0 --positions 0 --alpha 0
bad "unknown fault" "nonsense" $s --fault nonsense
bad "unknown backend" "nonsense" $s --backend nonsense
bad "--top-p 0" "\-\-top-p" $s --top-p 0
bad "missing scenario file" "no-such-file" scenarios/no-such-file.json
bad "no scenario" "SCENARIO is required"
check "bad input writes nothing" test ! -e "$tmp/bad/verify_dist.csv"
"$bin" verify-dist --help >"$tmp/help.out" 2>&1
check "--help says what a rejection means and the exit status" \
  grep -q "Exit status: 0 no test rejects; 5 a test rejects" "$tmp/help.out"
finish
