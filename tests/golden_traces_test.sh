#!/usr/bin/env bash
# Recomputes the trace digests of tests/golden/traces_v1.txt (and of the library scenarios added
# since, tests/golden/traces_*_v1.txt listed below) and compares them line by line.
#   golden_traces_test.sh LOCKSTEP_BIN                        every line but SpecBench's
#   golden_traces_test.sh LOCKSTEP_BIN --specbench-only PATH  only SpecBench's lines
#   golden_traces_test.sh LOCKSTEP_BIN --gpu PATH|none        the gpu backend against the
#                                                             file's cpu digests (a trace names
#                                                             no backend, so they must agree)
# Reports skipped (77) when the SpecBench data (--specbench-only) or a CUDA device (--gpu) is
# absent; with --gpu and no SpecBench data, the SpecBench lines alone are left out, and said so.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$1
mode=${2:-all}
golden=tests/golden/traces_v1.txt
# Library scenarios added after v1 have their own files, so v1 never changes; lines are
# compared sorted, since a new scenario's lines fall between v1's in the library's order.
added=(tests/golden/traces_multi_eos_v1.txt tests/golden/traces_sampled_coupled_v1.txt
       tests/golden/traces_sampled_rejection_v1.txt)
rows() { cat "$golden" "${added[@]}" | grep -v '^#' | sort; }
case $mode in
  all)
    args=(--skip '^specbench ')
    expected=$(rows | grep -v '^specbench ')
    ;;
  --specbench-only)
    if [[ ! -f $3 ]]; then
      echo "SKIPPED: SpecBench data not found at the configured path; specbench lines not checked"
      exit 77
    fi
    args=(--only '^specbench ' --specbench "$3")
    expected=$(rows | grep '^specbench ')
    ;;
  --gpu)
    if ! { command -v nvidia-smi >/dev/null && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; }; then
      echo "SKIPPED: no CUDA device; gpu trace digests not checked"
      exit 77
    fi
    expected=$(rows | awk '$3 == "cpu" {$3 = "gpu"; print}')
    if [[ -f $3 ]]; then
      args=(--backends gpu --specbench "$3")
    else
      echo "note: no SpecBench data; the specbench scenario's gpu lines are not checked"
      args=(--backends gpu --skip '^specbench ')
      expected=$(echo "$expected" | grep -v '^specbench ')
    fi
    ;;
  *) echo "golden_traces_test.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
actual=$(scripts/golden-traces.sh --lockstep "$bin" "${args[@]}" | sort)
if ! diff <(echo "$expected") <(echo "$actual"); then
  echo "FAILED: trace digests differ from $golden ${added[*]} (< golden, > now)"
  exit 1
fi
echo "$(echo "$actual" | wc -l) trace digests equal $golden"
