#!/usr/bin/env bash
# `lockstep tokenize` against PyPI `tokenizers` built from the same GGUF vocabulary and merges
# (tests/tools/tokenizer_crosscheck.py): identical ids and exact round trips on the first turn
# of every SpecBench record and of tests/data/tokenizer_edge_cases.jsonl, as plain text and
# wrapped in the chat template; before that, the command's usage errors (exit 2, named).
#   tests/tokenizer_crosscheck_test.sh LOCKSTEP_BIN QUESTIONS_JSONL  (from the source root)
# Reports skipped (77) when the model file, the test venv or the SpecBench data is missing
# (without SpecBench, after checking the edge cases), unless a check already failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
questions=$2
source tests/check_lib.sh

skip() {  # skip WHY: 77, or the failures so far
  ((failures > 0)) && finish
  echo "SKIPPED: $1 ($checks checks passed before)"
  exit 77
}
refused() {  # refused DESCRIPTION PATTERN ARGS...: exit 2 with PATTERN in the message
  local what=$1 pattern=$2 rc=0
  shift 2
  "$bin" tokenize "$@" >"$tmp/out" 2>&1 || rc=$?
  check "$what exits 2" test "$rc" = 2
  check "$what says '$pattern'" grep -qF -- "$pattern" "$tmp/out"
}

refused "an unknown model name" "fetch-model.sh" --model no-such-model text
refused "a missing model path" "missing.gguf" --model ./missing.gguf text
refused "no --model" "--model is required" text
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
[[ -f $model ]] || skip "model file not found (scripts/fetch-model.sh smollm2-135m)"
refused "no input" "exactly one of TEXT or --specbench" --model smollm2-135m
refused "two inputs" "exactly one of TEXT or --specbench" --model smollm2-135m x --specbench q
refused "--count without --specbench" "need --specbench" --model smollm2-135m x --count 3
refused "a byte without a token" "byte 0x04" --model smollm2-135m $'a\x04'
"$bin" tokenize --model smollm2-135m --json "" >"$tmp/empty"
check "an empty text gives no ids" grep -qF '"ids":[]' "$tmp/empty"

python=$(scripts/test-venv.sh) || skip "the test venv (tests/tools/requirements.txt) cannot be made"
# Every first turn of FILE, plain and as a chat prompt, against the reference. lockstep finds
# the model by its cache name; the reference reads the same file by path.
crosscheck() {  # crosscheck FILE
  "$bin" tokenize --model smollm2-135m --specbench "$1" --json --parse-specials >"$tmp/plain" &&
    "$bin" tokenize --model smollm2-135m --specbench "$1" --json --chat >"$tmp/chat" &&
    "$python" tests/tools/tokenizer_crosscheck.py "$model" "$1" "$tmp/plain" "$tmp/chat"
}
check "the edge cases tokenize as PyPI tokenizers does" \
  crosscheck tests/data/tokenizer_edge_cases.jsonl
[[ -f $questions ]] || skip "SpecBench data not found at the configured path"
start=$EPOCHREALTIME
check "the 480 SpecBench first turns tokenize as PyPI tokenizers does" crosscheck "$questions"
awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {
  printf "time: %.2f s for the SpecBench check (lockstep twice, model load included, and the reference)\n", b - a }'
finish
