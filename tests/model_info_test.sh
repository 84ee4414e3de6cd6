#!/usr/bin/env bash
# `lockstep model-info` end to end on the fuzz seed corpus's tiny llama (always there), on a
# truncated copy and an unknown name (exit 2 with a clear message), and on the real model
# when it is in the cache.
#   tests/model_info_test.sh LOCKSTEP_BINARY
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$1
source tests/check_lib.sh
tiny=tests/fuzz/corpus/gguf/tiny_llama

"$bin" model-info "$tiny" >"$tmp/text" 2>&1
check "model-info exits 0" test $? = 0
check "the tiny llama's hyperparameters" \
  grep -q "2 layers, d_model 32, ffn 64, 2 heads (1 kv), head_dim 16" "$tmp/text"
check "the tensor table" grep -Eq "^blk\.1\.ffn_down\.weight +[A-Z0-9_]+ +\[64, 32\]" "$tmp/text"
"$bin" model-info "$tiny" --json >"$tmp/info.json"
check "--json exits 0" test $? = 0
check "--json holds the hyperparameters and 20 tensors" python3 -c '
import json, sys
info = json.load(open(sys.argv[1]))
h = info["hparams"]
sys.exit(not (h["n_layers"] == 2 and h["tied_embeddings"] is True and h["pad_id"] == 2
              and len(info["tensors"]) == 20))' "$tmp/info.json"

head -c 1000 "$tiny" >"$tmp/cut.gguf"
"$bin" model-info "$tmp/cut.gguf" 2>"$tmp/cut.err"
check "a truncated file exits 2" test $? = 2
check "a truncated file is named as truncated" grep -q "cut.gguf: truncated" "$tmp/cut.err"
LOCKSTEP_MODELS="$tmp" "$bin" model-info no-such-model 2>"$tmp/name.err"
check "an unknown model name exits 2" test $? = 2
check "an unknown model name points to fetch-model.sh" grep -q "fetch-model.sh" "$tmp/name.err"

real="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ -f $real ]]; then
  "$bin" model-info smollm2-135m >"$tmp/real" 2>&1
  check "the real model by name" \
    grep -q "30 layers, d_model 576, ffn 1536, 9 heads (3 kv), head_dim 64" "$tmp/real"
else
  echo "skipped: the real model part ($real absent)"
fi
finish
