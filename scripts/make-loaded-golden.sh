#!/usr/bin/env bash
# Writes tests/golden/loaded_v1.txt: the loaded-weights path's golden records (docs/numerics.md
# §13.5) computed by the cpu backend from the real model file. Run from the repository root
# after building (cmake --build --preset default --target loaded_model_check), only after a
# deliberate change of §13; review the diff, and bump the version if it is not an addition.
set -euo pipefail
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
checker="${1:-build/default/bin/loaded_model_check}"
out=tests/golden/loaded_v1.txt
{
  echo "lockstep-golden loaded v1"
  echo "# docs/numerics.md §13: SmolLM2-135M-Instruct.Q4_1.gguf (sha256 b179c952...db53) through"
  echo "# the cpu backend. loaded_model <name> <layers> <capacity> <prompt> -> <FNV-1a of all"
  echo "# logits [N, V]> <argmax list> <FNV-1a of the per-token digests> <kv_digest of the N slots>"
  "$checker" golden "$model"
} > "$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out ($(grep -c '^loaded_model' "$out") records)"
