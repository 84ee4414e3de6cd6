#!/usr/bin/env bash
# `lockstep model-info` end to end on the fuzz seed corpus's tiny llama (always there), on a
# truncated copy and an unknown name (exit 2 with a clear message), and on the real model
# when it is in the cache.
#   tests/model_info_test.sh LOCKSTEP_BINARY
set -uo pipefail
lockstep=$1
tiny=tests/fuzz/corpus/gguf/tiny_llama
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

out=$("$lockstep" model-info "$tiny") || fail "model-info on $tiny exited $?"
grep -q "2 layers, d_model 32, ffn 64, 2 heads (1 kv), head_dim 16" <<<"$out" ||
  fail "text output lacks the tiny llama's hyperparameters: $out"
grep -Eq "^blk\.1\.ffn_down\.weight +[A-Z0-9_]+ +\[64, 32\]" <<<"$out" || fail "tensor table: $out"
"$lockstep" model-info "$tiny" --json >"$work/info.json" || fail "--json exited $?"
python3 - "$work/info.json" <<'PY' || fail "--json output"
import json, sys
info = json.load(open(sys.argv[1]))
assert info["hparams"]["n_layers"] == 2 and info["hparams"]["tied_embeddings"] is True, info
assert info["hparams"]["pad_id"] == 2 and len(info["tensors"]) == 20, info
PY
head -c 1000 "$tiny" >"$work/cut.gguf"
"$lockstep" model-info "$work/cut.gguf" 2>"$work/err"
[[ $? == 2 ]] && grep -q "cut.gguf: truncated" "$work/err" || fail "truncated file: $(cat "$work/err")"
LOCKSTEP_MODELS="$work" "$lockstep" model-info no-such-model 2>"$work/err"
[[ $? == 2 ]] && grep -q "fetch-model.sh" "$work/err" || fail "unknown name: $(cat "$work/err")"

real="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ -f $real ]]; then
  out=$("$lockstep" model-info smollm2-135m) || fail "model-info smollm2-135m exited $?"
  grep -q "30 layers, d_model 576, ffn 1536, 9 heads (3 kv), head_dim 64" <<<"$out" ||
    fail "real model: $out"
else
  echo "skipped: the real model part ($real absent)"
fi
[[ $status == 0 ]] && echo "model-info: all checks passed"
exit $status
