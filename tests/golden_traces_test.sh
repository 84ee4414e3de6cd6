#!/usr/bin/env bash
# Recomputes the trace digests of tests/golden/traces_v1.txt and compares them line by line.
#   golden_traces_test.sh LOCKSTEP_BIN [--specbench-only PATH]
# Without --specbench-only every line but the SpecBench scenario's; with it, only those, and
# the test reports skipped (77) when the SpecBench data is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
golden=tests/golden/traces_v1.txt
if [[ ${2:-} == --specbench-only ]]; then
  if [[ ! -f $3 ]]; then
    echo "SKIPPED: SpecBench data not found at the configured path; specbench lines not checked"
    exit 77
  fi
  args=(--only '^specbench ' --specbench "$3")
  expected=$(grep '^specbench ' "$golden")
else
  args=(--skip '^specbench ')
  expected=$(grep -v '^#' "$golden" | grep -v '^specbench ')
fi
actual=$(scripts/golden-traces.sh --lockstep "$bin" "${args[@]}")
if ! diff <(echo "$expected") <(echo "$actual"); then
  echo "FAILED: trace digests differ from $golden (< golden, > now)"
  exit 1
fi
echo "$(echo "$actual" | wc -l) trace digests equal $golden"
