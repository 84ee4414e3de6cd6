#!/usr/bin/env bash
# Strategies are named in one place (sim/strategy.cpp, the registry): no other C++ or CUDA
# source may spell a strategy name as a string literal, so adding a strategy never means
# hunting for comparisons (issue 10). Allowed elsewhere: the word "packed" as the trace's
# spelling of a layout (the sim/trace_* files), the base strategy of each strategy preset
# (sim/faults.cpp) and the embedded default scenario's JSON (sim/scenario.cpp); the key "ar"
# of a numerics divergence's batch-1 AR side (trace and summary JSON); comments.
set -uo pipefail
cd "$(dirname "$0")/.."
source tests/check_lib.sh
hits=$(git ls-files 'sim/*' 'verify/*' 'viz/*' 'cli/*' 'bench/*.cpp' 'reference/*' 'gpu/*' 'numerics/*' |
  grep -E '\.(cpp|h|cu|cuh)$' | grep -v '^sim/strategy\.cpp$' |
  xargs grep -nE '"(ar|spec1|eqspec|exspec|rollback|packed)"' |
  grep -vE '^[^:]+:[0-9]+:\s*//' |
  grep -vE '^sim/trace_[a-z_]+\.(h|cpp):.*"packed"' |
  grep -vE '^viz/step_view\.h:.*// "padded" \| "packed"' |
  grep -vE '^sim/faults\.cpp:[0-9]+:\s*"[a-z0-9]+",$' |
  grep -vE '^sim/scenario\.cpp:[0-9]+:\s*"strategy": "[a-z0-9]+",$' |
  grep -vE '^(sim/trace_[a-z_]+|verify/summary)\.(h|cpp):.*("ar", side_json|read_divergence_side\(f, "ar"\))')
check "no strategy name as a string literal outside the registry" test -z "$hits"
[[ -z $hits ]] || echo "$hits"
# The check itself can fail: the registry does spell every strategy.
check "the registry spells the six strategies" \
  test "$(grep -cE '^\s*\{"(ar|spec1|eqspec|exspec|rollback|packed)",' sim/strategy.cpp)" -ge 6
finish
