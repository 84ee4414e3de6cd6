#!/usr/bin/env bash
# `lockstep equivalence` end to end on the cpu backend's small generated model (fast): the CSV
# files have their documented shape, exact numerics is 100% with 0 violations in every cell,
# float numerics keeps 0 violations, and bad values are bad input (exit 2). With SpecBench's
# data, prompts spread by --stride keep their records' categories; without it that part is
# reported skipped (77) after the rest passed.
#   equivalence_cli_test.sh LOCKSTEP_BIN SPECBENCH_QUESTIONS_JSONL
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
specbench=${2:-}
source tests/check_lib.sh

header="strategy,batch,numerics,category,sequences,identical,rate,mean_first_divergence,violations,seconds"
seq_header="strategy,batch,numerics,prompt,record,category,first_divergence,generated,oracle_generated"

# 2 strategies x 2 batch sizes x 2 numerics on the file's 4 token-list prompts, 8 tokens each.
"$bin" equivalence scenarios/model_drafter_target_layers.json --strategies eqspec,packed \
  --batch-sizes 1,4 --new-tokens 8 --out "$tmp/grid" >"$tmp/grid.out" 2>"$tmp/grid.err"
check "equivalence exits 0 (exact 100%, no violation)" test $? = 0
check "equivalence.csv has its header" test "$(head -1 "$tmp/grid/equivalence.csv")" = "$header"
# Prompts without SpecBench records have category "-": one "all" row and one "-" row per cell.
check "equivalence.csv: 8 cells x 2 rows" test "$(wc -l <"$tmp/grid/equivalence.csv")" = 17
check "sequences.csv has its header" test "$(head -1 "$tmp/grid/sequences.csv")" = "$seq_header"
check "sequences.csv: 8 cells x 4 prompts" test "$(wc -l <"$tmp/grid/sequences.csv")" = 33
check "every exact row is 4 of 4 at rate 1, 0 violations" \
  test "$(awk -F, '$3 == "exact" && !($5 == 4 && $6 == 4 && $7 == "1.0000" && $9 == 0)' \
    "$tmp/grid/equivalence.csv" | wc -l)" = 0
check "there are 8 exact rows" test "$(awk -F, '$3 == "exact"' "$tmp/grid/equivalence.csv" | wc -l)" = 8
check "every float row has 0 violations" \
  test "$(awk -F, '$3 == "float" && $9 != 0' "$tmp/grid/equivalence.csv" | wc -l)" = 0
check "every exact sequence's first divergence is -1" \
  test "$(awk -F, '$3 == "exact" && $7 != -1' "$tmp/grid/sequences.csv" | wc -l)" = 0
check "a mean first divergence exactly where some sequence diverged" \
  test "$(awk -F, 'NR > 1 && $4 == "all" && (($6 < $5) != ($8 != ""))' \
    "$tmp/grid/equivalence.csv" | wc -l)" = 0
check "progress names every cell on stderr" grep -q "\[8/8\]" "$tmp/grid.err"
check "no partial file is left" test -z "$(ls "$tmp/grid" | grep partial)"

bad() {  # bad DESCRIPTION EXPECTED_TEXT ARGS...
  local what=$1 text=$2; shift 2
  "$bin" equivalence scenarios/model_drafter_target_layers.json --new-tokens 2 \
    --out "$tmp/bad" "$@" >/dev/null 2>"$tmp/bad.err"
  local rc=$?
  check "$what: exit 2" test $rc = 2
  check "$what: the error names it" grep -q -e "$text" "$tmp/bad.err"
}
bad "unknown numerics" "numerics" --numerics exact,fp8
bad "unknown strategy" "nonsense" --strategies eqspec,nonsense
bad "batch size 0" "batch-sizes" --batch-sizes 0
bad "--prompts 0" "prompts" --prompts 0
bad "float on the symbolic backend" "symbolic" --backend symbolic --numerics float
bad "--prompt-tokens without SpecBench prompts" "prompt-tokens" --prompt-tokens 8
bad "--stride without --prompts" "add --prompts" --stride 7
bad "--prompts with --per-category" "not both" --prompts 2 --per-category 1
check "bad input writes nothing" test ! -e "$tmp/bad/equivalence.csv"

if [[ -z "$specbench" || ! -f "$specbench" ]]; then
  echo "SpecBench data not found: the category part is skipped"
  [[ $failures -gt 0 ]] && finish
  exit 77
fi
# Records 0 and 80 (stride 80): SpecBench's first "writing" and first "translation" records.
"$bin" equivalence scenarios/specbench.json --backend cpu --specbench "$specbench" \
  --prompts 2 --stride 80 --prompt-tokens 8 --new-tokens 8 --strategies eqspec \
  --batch-sizes 2 --out "$tmp/sb" >"$tmp/sb.out" 2>"$tmp/sb.err"
check "SpecBench grid exits 0" test $? = 0
check "the categories are the records'" \
  test "$(awk -F, 'NR > 1 {print $5 ":" $6}' "$tmp/sb/sequences.csv" | sort -u | tr '\n' ' ')" \
    = "0:writing 80:translation "
check "one row per category and cell, beside 'all'" \
  test "$(awk -F, 'NR > 1 {print $3 ":" $4}' "$tmp/sb/equivalence.csv" | sort | tr '\n' ' ')" \
    = "exact:all exact:translation exact:writing float:all float:translation float:writing "
# --per-category 1: one record of each of SpecBench's 13 categories.
"$bin" equivalence scenarios/specbench.json --backend cpu --specbench "$specbench" \
  --per-category 1 --prompt-tokens 8 --new-tokens 4 --strategies packed --batch-sizes 4 \
  --numerics exact --out "$tmp/cat" >/dev/null 2>&1
check "--per-category 1 exits 0" test $? = 0
check "--per-category 1 gives 13 prompts of 13 categories" \
  test "$(awk -F, 'NR > 1 {print $6}' "$tmp/cat/sequences.csv" | sort -u | wc -l):$(($(wc -l <"$tmp/cat/sequences.csv") - 1))" = "13:13"
"$bin" equivalence scenarios/specbench.json --backend cpu --specbench "$specbench" \
  --prompts 2 --stride 480 --out "$tmp/bad" >/dev/null 2>"$tmp/bad.err"
check "a slice past the file's end: exit 2" test $? = 2
check "the error says how many records there are" grep -q "has 480 records" "$tmp/bad.err"
finish
