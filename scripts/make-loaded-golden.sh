#!/usr/bin/env bash
# Writes tests/golden/loaded_v2.txt: the loaded-weights path's golden records (docs/numerics.md
# §13.6) computed by the cpu backend from the real model file. Run from the repository root
# after building (cmake --build --preset default --target loaded_model_check), only after a
# deliberate change of §13; review the diff, and bump the version if it is not an addition.
set -euo pipefail
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
checker="${1:-build/default/bin/loaded_model_check}"
out=tests/golden/loaded_v2.txt
{
  echo "lockstep-golden loaded v2"
  echo "# docs/numerics.md §13 (v2: with the wide attention of §13.5): SmolLM2-135M-Instruct.Q4_1.gguf"
  echo "# (sha256 b179c952...db53) through the cpu backend. loaded_model <name> <layers> <capacity>"
  echo "# <prompt> -> <FNV-1a of all logits [N, V]> <argmax list> <FNV-1a of the per-token digests>"
  echo "# <kv_digest of the N slots>"
  "$checker" golden "$model"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '^loaded_model' "$out") records)"
