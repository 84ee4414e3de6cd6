#!/usr/bin/env bash
# The loaded-weights path on the real model (docs/numerics.md §13), from the repository root:
#   loaded_model_test.sh agree CHECKER QUESTIONS.jsonl
#       the float32 numpy forward (tests/tools/smollm2_forward.py, in the test venv) generates
#       32 greedy tokens for SpecBench prompts; the cpu backend's teacher-forced argmax must
#       agree on >= 95% of them.
#   loaded_model_test.sh golden CHECKER
#       the loaded_model records equal tests/golden/loaded_v2.txt.
# Skips (77) when the model file, the questions or the venv are missing; never passes then.
set -euo pipefail
mode="$1"
checker="$2"
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ ! -f "$model" ]]; then
  echo "skipped: no model file at $model (scripts/fetch-model.sh smollm2-135m)"
  exit 77
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
case "$mode" in
  agree)
    questions="$3"
    [[ -f "$questions" ]] || { echo "skipped: no SpecBench questions at $questions"; exit 77; }
    python="$(scripts/test-venv.sh)" || { echo "skipped: the test venv cannot be made"; exit 77; }
    # 8 prompts x 32 tokens (SpecBench lines 0, 8, ..., 56), one thread per BLAS call.
    OPENBLAS_NUM_THREADS=1 "$python" tests/tools/smollm2_forward.py generate "$model" \
      "$questions" --first 8 --tokens 32 > "$tmp/float32.txt"
    "$checker" agree "$model" "$tmp/float32.txt" 95
    ;;
  golden)
    "$checker" golden "$model" > "$tmp/got.txt"
    grep -v '^#' tests/golden/loaded_v2.txt | grep -v '^lockstep-golden' > "$tmp/want.txt"
    if ! diff "$tmp/want.txt" "$tmp/got.txt"; then
      echo "loaded_model records differ from tests/golden/loaded_v2.txt (see the diff above)"
      exit 1
    fi
    echo "loaded_model records: $(wc -l < "$tmp/got.txt") equal tests/golden/loaded_v2.txt"
    ;;
  *) echo "usage: loaded_model_test.sh agree|golden CHECKER [QUESTIONS]" >&2; exit 2 ;;
esac
