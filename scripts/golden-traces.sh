#!/usr/bin/env bash
# Prints the canonical trace digest of every library scenario x every strategy x backend, one
# line each: "SCENARIO STRATEGY BACKEND DIGEST EXIT". tests/golden/traces_v1.txt is this
# script's output (plus traces_multi_eos_v1.txt for multi_eos.json, added later); a refactoring
# must leave every line unchanged (tests/golden_traces_test.sh). Scenarios that need a model
# file live in scenarios/models/ and are not part of this set (it needs no download).
#
#   scripts/golden-traces.sh [--lockstep BIN] [--backends symbolic,cpu] [--specbench PATH]
#                            [--only REGEX] [--skip REGEX] [--random N]
#                            > tests/golden/traces_v1.txt
#
# Then the N seeded random scenarios of `lockstep replay --random N --seed 1` (default 60), one
# line each per backend: "random-1-I - BACKEND DIGEST 0".
# EXIT is the run's exit status (0 clean, 1 a fault the file injects was caught, 2 the file's
# values do not admit that strategy); DIGEST is "-" when the run did not start.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/default/bin/lockstep
backends=symbolic,cpu
specbench=../shared/data/specbench/question.jsonl
only=.
skip='^$'
random=60
while (($#)); do
  case $1 in
    --lockstep) bin=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --specbench) specbench=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --skip) skip=$2; shift 2 ;;
    --random) random=$2; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "golden-traces.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x $bin ]] || { echo "golden-traces.sh: no lockstep binary at '$bin'; build first" >&2; exit 2; }
# The six strategies of traces_v1, spelled out so that the golden set never changes silently.
strategies="ar spec1 eqspec exspec rollback packed"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
for file in scenarios/*.json; do
  name=$(basename "$file" .json)
  for strategy in $strategies; do
    for backend in ${backends//,/ }; do
      line="$name $strategy $backend"
      [[ $line =~ $only && ! $line =~ $skip ]] || continue
      rm -f "$summary"
      rc=0
      "$bin" run "$file" --strategy "$strategy" --backend "$backend" --specbench "$specbench" \
        --summary-json "$summary" >/dev/null 2>&1 || rc=$?
      digest=-
      [[ -s $summary ]] && digest=$(sed -n 's/.*"trace_digest": *"\([0-9a-f]*\)".*/\1/p' "$summary")
      echo "$line ${digest:--} $rc"
    done
  done
done
# Random scenarios: replaying a backend against itself prints each trace's digest.
for backend in ${backends//,/ }; do
  ((random > 0)) || break
  [[ "random-1-0 - $backend" =~ $only && ! "random-1-0 - $backend" =~ $skip ]] || continue
  "$bin" replay --random "$random" --seed 1 --backends "$backend,$backend" 2>&1 |
    sed -n "s/^\(random-1-[0-9]*\): identical .*trace digest \([0-9a-f]*\))$/\1 - $backend \2 0/p"
done
