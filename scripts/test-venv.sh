#!/usr/bin/env bash
# Makes (once) the Python venv that test helpers run in and prints its python's path.
# The venv lives in $LOCKSTEP_VENV (default: build/venv in the checkout) and holds only the
# cross-check packages of tests/tools/requirements.txt. Re-run when that file changes: the
# stamp records which requirements the venv was made from.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${LOCKSTEP_VENV:-$root/build/venv}"
req="$root/tests/tools/requirements.txt"
stamp="$venv/.lockstep-requirements"
if [[ -x "$venv/bin/python" && -f "$stamp" ]] && cmp -s "$req" "$stamp"; then
  echo "$venv/bin/python"
  exit 0
fi
python3 -m venv "$venv" >&2 || {
  echo "test-venv: cannot make a venv at $venv (is python3-venv installed?)" >&2
  exit 1
}
"$venv/bin/pip" install -q --disable-pip-version-check -r "$req" >&2 || {
  echo "test-venv: pip could not install $req (offline?)" >&2
  exit 1
}
cp "$req" "$stamp"
echo "$venv/bin/python"
