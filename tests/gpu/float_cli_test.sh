#!/usr/bin/env bash
# The float and bf16 profiles through the CLI (issue 13; docs/gpu.md "Float and bf16").
# Usage: float_cli_test.sh LOCKSTEP host|device (from the source root).
#   host:   `lockstep replay` of a float scenario judges each backend by the invariants and its
#           own batch-1 AR, not by cross-backend bytes: cpu,cpu on the bf16 scenario that
#           diverges by numerics is exit 4 with its result line (runs anywhere).
#   device: the gpu backend's float and bf16 profiles under the verifier: both scenarios hold
#           every invariant (exit 0, or 4 for a numerics divergence, never 1); a layout fault
#           under gpu float is still a violation naming I1 (exit 1); `replay --backends
#           cpu,gpu` of the bf16 scenario is exit 0 or 4 with every invariant holding on both.
#           Exit 77 (skipped) without a CUDA device.
set -u
bin="$1"
mode="$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() { echo "FAIL $1"; sed 's/^/    /' "$work/out" | head -30; failed=$((failed + 1)); }
scenario=scenarios/numerics/bf16_diverges.json

if [[ $mode == host ]]; then
  "$bin" replay "$scenario" --backends cpu,cpu >"$work/out" 2>&1
  rc=$?
  [[ $rc -eq 4 ]] || fail "replay cpu,cpu of a bf16 scenario: exit $rc, expected 4"
  grep -qE "result +bf16: every invariant holds on both backends; .*cpu [1-9]" "$work/out" ||
    fail "replay cpu,cpu of a bf16 scenario: no float result line"
  ((failed == 0)) && echo "float_cli_test host: passed"
  exit $((failed > 0))
fi

if ! (command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'); then
  echo "skipped: no CUDA device"
  exit 77
fi
for numerics in float bf16; do
  "$bin" run "$scenario" --backend gpu --numerics "$numerics" >"$work/out" 2>&1
  rc=$?
  [[ $rc -eq 0 || $rc -eq 4 ]] || fail "gpu $numerics run: exit $rc, expected 0 or 4"
  grep -qE "numerics +$numerics: [0-9]+ sequences differ from batch-1 AR" "$work/out" ||
    fail "gpu $numerics run: no numerics line"
  echo "gpu $numerics run: exit $rc"
done
"$bin" run scenarios/ragged_worst_case.json --backend gpu --numerics float \
  --fault positions-from-padded-index >"$work/out" 2>&1
rc=$?
[[ $rc -eq 1 ]] || fail "gpu float run with a layout fault: exit $rc, expected 1"
grep -qE "VIOLATION I1 at step [0-9]+" "$work/out" || fail "gpu float layout fault: no I1 violation"
"$bin" replay "$scenario" --backends cpu,gpu >"$work/out" 2>&1
rc=$?
[[ $rc -eq 0 || $rc -eq 4 ]] || fail "replay cpu,gpu of a bf16 scenario: exit $rc, expected 0 or 4"
grep -q "every invariant holds on both backends" "$work/out" || fail "replay cpu,gpu: result line"
cat "$work/out"
((failed == 0)) && echo "float_cli_test device: passed"
exit $((failed > 0))
