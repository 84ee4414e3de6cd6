#!/usr/bin/env bash
# `lockstep tokenize` against PyPI `tokenizers` built from the same GGUF vocabulary and merges
# (tests/tools/tokenizer_crosscheck.py): identical ids and exact round trips on the first turn
# of every SpecBench record and of tests/data/tokenizer_edge_cases.jsonl, as plain text and
# wrapped in the chat template.
# Usage: tokenizer_crosscheck_test.sh LOCKSTEP_BIN QUESTIONS_JSONL  (run from the source root)
# Reports skipped (77) when the model file, the SpecBench data or the test venv is missing
# (without SpecBench, after checking the edge cases).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
questions=$2
# The command's contract first: these need neither the model nor the data.
usage_error() {  # usage_error PATTERN -- ARGS...: exit 2 with PATTERN in the message
  local pattern=$1 out rc=0
  shift 2
  out=$("$bin" tokenize "$@" 2>&1) || rc=$?
  if [[ $rc -ne 2 ]] || ! grep -qF -- "$pattern" <<<"$out"; then
    echo "FAIL: lockstep tokenize $* gave exit $rc, expected 2 and '$pattern':"
    echo "$out" | head -5
    exit 1
  fi
}
usage_error "no-such-model" -- --model no-such-model "text"
usage_error "missing.gguf" -- --model ./missing.gguf "text"
usage_error "--model is required" -- "text"
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ ! -f $model ]]; then
  echo "SKIPPED: model file not found (scripts/fetch-model.sh smollm2-135m puts it in the cache)"
  exit 77
fi
usage_error "exactly one of TEXT or --specbench" -- --model smollm2-135m
usage_error "exactly one of TEXT or --specbench" -- --model smollm2-135m x --specbench q.jsonl
usage_error "need --specbench" -- --model smollm2-135m x --count 3
usage_error "byte 0x04" -- --model smollm2-135m $'a\x04'
empty=$("$bin" tokenize --model smollm2-135m --json "")
if [[ $empty != *'"ids":[]'* ]]; then
  echo "FAIL: an empty text should give no ids: $empty"
  exit 1
fi
if ! python=$(scripts/test-venv.sh); then
  echo "SKIPPED: the test venv (tests/tools/requirements.txt) cannot be made"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# crosscheck QUESTIONS_JSONL: lockstep's ids for every first turn, plain and as a chat prompt,
# against the reference's.
crosscheck() {
  # lockstep finds the model by its cache name; the reference reads the same file by path.
  "$bin" tokenize --model smollm2-135m --specbench "$1" --json --parse-specials >"$work/plain.jsonl"
  "$bin" tokenize --model smollm2-135m --specbench "$1" --json --chat >"$work/chat.jsonl"
  "$python" tests/tools/tokenizer_crosscheck.py "$model" "$1" "$work/plain.jsonl" "$work/chat.jsonl"
}

crosscheck tests/data/tokenizer_edge_cases.jsonl
if [[ ! -f $questions ]]; then
  echo "SKIPPED: SpecBench data not found at the configured path (the edge cases passed)"
  exit 77
fi
start=$EPOCHREALTIME
crosscheck "$questions"
end=$EPOCHREALTIME
awk -v a="$start" -v b="$end" 'BEGIN {
  printf "time: %.2f s for the 480 SpecBench prompts (lockstep twice, model load included, and the reference)\n", b - a }'
