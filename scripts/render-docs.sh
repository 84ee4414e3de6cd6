#!/usr/bin/env bash
# Regenerates the pictures of docs/strategies.md (docs/img/*.png) from scenario files in
# scenarios/: each picture is one step of one run, rendered by `lockstep viz`. Run it after
# changing the controller or the pictures; it builds `lockstep` first if needed.
# Usage: scripts/render-docs.sh   (LOCKSTEP=path/to/lockstep to use another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
lockstep=${LOCKSTEP:-build/default/bin/lockstep}
if [[ -z ${LOCKSTEP:-} ]]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target lockstep -j "$(nproc)" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p docs/img

# picture NAME STEP SCENARIO [run options...]: step STEP of the run, as docs/img/NAME.png.
# STEP "first-violation": the step of the run's first violation (runs with a fault exit 1);
# "first-divergence": the step that committed the first numerics divergence (float numerics,
# exit 4).
picture() {
  local name=$1 step=$2 scenario=$3
  shift 3
  local rc=0
  "$lockstep" run "$scenario" "$@" --trace "$work/$name.jsonl" --trace-details >/dev/null || rc=$?
  if ((rc != 0 && rc != 1 && rc != 4)); then
    echo "render-docs: lockstep run $scenario $* failed (exit $rc)" >&2
    exit 1
  fi
  if [[ $step == first-violation ]]; then
    step=$(grep -m1 '"event":"violation"' "$work/$name.jsonl" | sed 's/.*"step":\([0-9]*\).*/\1/')
  elif [[ $step == first-divergence ]]; then
    step=$(grep -m1 '"what":"divergence"' "$work/$name.jsonl" |
      sed 's/.*"index":[0-9]*,"position":[0-9]*,.*"seq":[0-9]*,"step":\([0-9]*\).*/\1/')
  fi
  "$lockstep" viz "$work/$name.jsonl" --out "$work/$name" --steps "$step" --format png \
    ${viz_text:+--text "$viz_text"} >/dev/null
  cp "$work/$name/step-$(printf %03d "$step").png" "docs/img/$name.png"
  echo "docs/img/$name.png  ($scenario $*, step $step)"
}

# The worst case for realignment, kept short (18 new tokens) so the pictures stay small.
ragged=(scenarios/ragged_worst_case.json --max-new-tokens 18)
picture ar 2 "${ragged[@]}" --strategy ar
picture spec1 1 "${ragged[@]}" --strategy spec1
picture eqspec 2 "${ragged[@]}" --strategy eqspec
picture rollback 2 "${ragged[@]}" --strategy rollback
picture packed 2 "${ragged[@]}" --strategy packed
picture exspec-group 2 scenarios/exspec_pool.json --max-new-tokens 8
picture exspec-fallback 4 scenarios/exspec_pool.json --max-new-tokens 8
picture eos 1 scenarios/eos_inside_draft.json

# Three faults (docs/faults.md), each at the step of its first violation.
picture fault-draft-cache-not-realigned first-violation "${ragged[@]}" --fault draft-cache-not-realigned
picture fault-positions-from-padded-index first-violation scenarios/eos_inside_draft.json --fault positions-from-padded-index
picture fault-stale-kv-after-rejection first-violation scenarios/eos_inside_draft.json --fault stale-kv-after-rejection

# Numerics or layout? (issue 13): the step that committed the first numerics divergence of the
# pinned diverging scenario (bf16 storage on the `small` preset: needs no model file or data).
diverges=scenarios/numerics/bf16_diverges.json
if [[ -f $diverges ]]; then
  picture numerics-divergence first-divergence "$diverges" --numerics bf16
else
  echo "render-docs: skipped docs/img/numerics-divergence.png (needs $diverges)"
fi

# Sampling (issue 14 item 5), on the cpu backend: a rejection step with accepted drafts,
# rejected ones corrected from the residual and a bonus, and a coupled step.
picture sampling-rejection 5 scenarios/sampled_rejection.json --backend cpu
picture sampling-coupled 2 scenarios/sampled_coupled.json --backend cpu

# The real-model walkthrough, with the model's own text: only where the model file and the
# SpecBench data are there (scripts/fetch-model.sh smollm2-135m; SPECBENCH=PATH/question.jsonl).
specbench=${SPECBENCH:-../shared/data/specbench/question.jsonl}
if [[ -f $specbench ]] && "$lockstep" model-info smollm2-135m >/dev/null 2>&1; then
  viz_text=smollm2-135m picture walkthrough-smollm2 8 scenarios/models/smollm2_walkthrough.json \
    --specbench "$specbench"
else
  echo "render-docs: skipped docs/img/walkthrough-smollm2.png (needs smollm2-135m and $specbench)"
fi
