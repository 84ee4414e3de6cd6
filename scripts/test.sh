#!/usr/bin/env bash
# Second command of the README (and what CI runs): install what is missing, build
# everything with the default preset, run the whole test suite. The format check comes first:
# it is the cheapest failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-format.sh
cmake --preset default >/dev/null
cmake --build --preset default -j "$(nproc)"
ctest --preset default
