#!/usr/bin/env bash
# First command of the README: install what is missing, configure, build the `lockstep`
# command, run the embedded default scenario end to end (every invariant checked at every
# step, every output compared with batch-1 AR), keep its trace and summary under out/ and
# render every step as a picture (out/default-viz/index.html).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default --target lockstep -j "$(nproc)"
mkdir -p out
build/default/bin/lockstep run --trace out/default.trace.jsonl --summary-json out/default.summary.json \
  --viz out/default-viz
echo
echo "Trace:   out/default.trace.jsonl   (one JSON record per event)"
echo "Summary: out/default.summary.json"
echo "Pictures: open out/default-viz/index.html in a browser (one picture per step)"
echo "Next:    build/default/bin/lockstep run scenarios/ragged_worst_case.json --strategy packed"
