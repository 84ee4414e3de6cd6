#!/usr/bin/env bash
# The real model's GGUF file read by lockstep and by PyPI's `gguf` package: metadata, tensor
# infos and every dequantized float must be identical (tests/tools/gguf_crosscheck.py).
# Skipped (77) when the model is not in the cache or the test venv cannot be made (offline).
#   tests/gguf_crosscheck_test.sh GGUF_DUMP_BINARY
set -euo pipefail
dump=$1
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ ! -f $model ]]; then
  echo "skipped: $model not found (scripts/fetch-model.sh smollm2-135m fetches it)"
  exit 77
fi
if ! python=$(scripts/test-venv.sh); then
  echo "skipped: the test venv (scripts/test-venv.sh) could not be made"
  exit 77
fi
"$python" tests/tools/gguf_crosscheck.py "$dump" "$model"
