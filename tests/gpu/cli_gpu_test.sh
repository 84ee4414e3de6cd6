#!/usr/bin/env bash
# `lockstep run --backend gpu` and `lockstep replay --backends cpu,gpu`: without a CUDA device
# both fail with exit 2 and a message naming the missing device; with one, both succeed.
set -u
lockstep="$1"
scenario=scenarios/single_sequence.json
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L 2>/dev/null | grep -q '^GPU'; then
  expect=0
else
  expect=2
fi
fail=0
for cmd in "run $scenario --backend gpu --strategy packed" "replay $scenario --backends cpu,gpu"; do
  out=$("$lockstep" $cmd 2>&1)
  rc=$?
  if [ "$rc" != "$expect" ]; then
    echo "FAIL: lockstep $cmd exited $rc, expected $expect"; echo "$out" | tail -5; fail=1
  elif [ "$expect" = 2 ] && ! grep -q "CUDA device" <<<"$out"; then
    echo "FAIL: lockstep $cmd: the message does not name the missing CUDA device:"; echo "$out"; fail=1
  else
    echo "ok: lockstep $cmd -> exit $rc"
  fi
done
exit $fail
