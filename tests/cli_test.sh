#!/usr/bin/env bash
# The CLI contract of `lockstep run`: exit codes (0 ok, 1 violation, 2 bad input or usage),
# errors that name the bad field, overrides, --summary-json fields, --help that teaches.
# Usage: cli_test.sh LOCKSTEP_BINARY  (run from the source root)
set -u
bin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0

check() {  # check NAME EXPECTED_EXIT PATTERN -- command...
  local name=$1 want=$2 pattern=$3
  shift 4
  "$@" >"$work/out" 2>&1
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$work/out" | head -20; failed=$((failed + 1)); return
  fi
  if [[ -n $pattern ]] && ! grep -qE -- "$pattern" "$work/out"; then
    echo "FAIL $name: output lacks /$pattern/"; sed 's/^/    /' "$work/out" | head -20; failed=$((failed + 1)); return
  fi
  passed=$((passed + 1))
}

check "default scenario runs" 0 "OK: every sequence equals batch-1 AR" -- "$bin" run
check "help teaches run" 0 "--max-new-tokens" -- "$bin" run --help
check "top-level help" 0 "lockstep run --help" -- "$bin" --help
check "no subcommand is usage" 2 "" -- "$bin"
check "unknown option is usage" 2 "" -- "$bin" run --bogus
check "missing file" 2 "cannot|No such|not" -- "$bin" run "$work/absent.json"
check "unknown strategy override" 2 "strategy" -- "$bin" run --strategy nonsense
check "unknown backend override" 2 "unknown backend 'warp'" -- "$bin" run --backend warp
check "k out of range" 2 "'k'|k " -- "$bin" run --k 0
check "unknown fault" 2 "unknown fault 'no-such-fault'" -- "$bin" run --fault no-such-fault
check "a fault is a violation: exit 1" 1 "VIOLATION I1 at step 2 row 1 slot 11" -- "$bin" run scenarios/ragged_worst_case.json --fault positions-from-padded-index
check "cpu backend runs" 0 "OK: every sequence equals batch-1 AR" -- "$bin" run scenarios/model_drafter_target_layers.json
check "model drafter on cpu with packed" 0 "cpu backend, strategy packed" -- "$bin" run scenarios/model_drafter_independent.json --strategy packed
check "window below batch for exspec" 2 "window" -- "$bin" run --strategy exspec --batch-size 8 --window 4
check "specbench scenario without data path" 2 "specbench" -- "$bin" run scenarios/specbench.json
# Sampling flags (issue 14): coupled sampling equals sampled batch-1 AR; bad values name the flag.
check "sampled run equals sampled AR" 0 "8 output-equivalent to batch-1 AR" -- "$bin" run scenarios/sampled_coupled.json --strategy eqspec --temperature 0.7 --top-k 5 --top-p 0.9 --sampling-seed 3 --acceptance coupled
check "sampled run prints its sampling" 0 "sampling +temperature 0.7, top_k 5, top_p 0.9, seed 3" -- "$bin" run scenarios/ragged_worst_case.json --temperature 0.7 --top-k 5 --top-p 0.9 --sampling-seed 3
check "--top-p out of range names the flag" 2 "--top-p must be a number in \(0, 1\], got 1.5" -- "$bin" run --temperature 1 --top-p 1.5
check "--top-k 0 names the flag" 2 "--top-k must be an integer" -- "$bin" run --temperature 1 --top-k 0
check "--temperature negative names the flag" 2 "--temperature must be a finite number >= 0" -- "$bin" run --temperature -0.5
check "rejection acceptance runs, every invariant holding" 0 "OK: no invariant broken; rejection sampling" -- "$bin" run scenarios/sampled_rejection.json --strategy eqspec
check "unknown acceptance names the value" 2 "--acceptance must be .*got 'lucky'" -- "$bin" run --temperature 1 --acceptance lucky
check "drafting with the target's uniform equals sampled AR" 0 "16 output-equivalent to batch-1 AR" -- "$bin" run docs/results/sampling/symbolic_self_draft.json --temperature 0.7 --draft-uniform target
check "the target's uniform is printed" 0 "draft uniform target" -- "$bin" run docs/results/sampling/symbolic_self_draft.json --temperature 0.7 --draft-uniform target
check "unknown draft uniform names the flag and value" 2 "--draft-uniform must be .*got 'mine'" -- "$bin" run --temperature 1 --draft-uniform mine
check "target uniform with rejection is refused, naming both fields" 2 "sampling.draft_uniform .*sampling.acceptance" -- "$bin" run scenarios/sampled_rejection.json --draft-uniform target
check "sampling fault is caught by I5" 1 "VIOLATION I5" -- "$bin" run scenarios/sampled_coupled.json --fault sample-key-batch-row

# Command-line values are merged before the cross-field checks (issue 10 item 7).
python3 - "$work/exspec_small_window.json" "$work/exspec_window_8.json" <<'PY'
import json, sys
d = json.load(open("scenarios/ragged_worst_case.json"))
d.update(strategy="exspec", batch_size=4, window=2)
json.dump(d, open(sys.argv[1], "w"))
d.update(window=8)
json.dump(d, open(sys.argv[2], "w"))
PY
check "file's exspec window is moot under --strategy ar" 0 "strategy ar" -- "$bin" run "$work/exspec_small_window.json" --strategy ar
check "bad value in the file says in FILE" 2 "window' \(2, in .*exspec_small_window.json\)" -- "$bin" run "$work/exspec_small_window.json"
check "--batch-size too big for the window says command line" 2 "batch_size \(16, from the command line: --batch-size\)" -- "$bin" run "$work/exspec_window_8.json" --batch-size 16
check "help lists the registry's strategies" 0 "packed +varlen passes" -- "$bin" run --help

printf '{"name": "x"' >"$work/truncated.json"
check "malformed json names the file" 2 "truncated.json" -- "$bin" run "$work/truncated.json"
python3 - "$work/missing_k.json" <<'PY'
import json, sys
d = json.load(open("scenarios/single_sequence.json"))
del d["k"]
json.dump(d, open(sys.argv[1], "w"))
PY
check "missing field is named" 2 "missing required field 'k'" -- "$bin" run "$work/missing_k.json"

for strategy in ar spec1 eqspec exspec rollback packed; do
  check "override strategy $strategy" 0 "strategy $strategy" -- "$bin" run scenarios/ragged_worst_case.json --strategy "$strategy"
done
check "overrides apply" 0 "batch 2, k 3" -- "$bin" run scenarios/single_sequence.json --batch-size 2 --k 3 --max-new-tokens 5 --seed 9 --no-check

check "summary json written" 0 "" -- "$bin" run scenarios/eos_inside_draft.json --summary-json "$work/s.json" --trace "$work/t.jsonl"
if python3 - "$work/s.json" "$work/t.jsonl" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
need = ["scenario", "backend", "strategy", "batch_size", "k", "sequences", "equivalent_sequences", "violations",
        "steps", "generated_tokens", "draft_proposed", "draft_accepted", "mean_tokens_per_step", "realign_bytes",
        "stage_seconds", "trace_digest", "outputs"]
missing = [f for f in need if f not in s]
assert not missing, missing
assert set(["draft", "verify", "realign", "other"]) <= set(s["stage_seconds"]), s["stage_seconds"]
assert s["equivalent_sequences"] == s["sequences"] == len(s["outputs"]) == 3, s
assert s["violations"] == [], s["violations"]
assert len(s["trace_digest"]) == 16
lines = open(sys.argv[2]).read().splitlines()
assert all(json.loads(l)["event"] for l in lines)
PY
then passed=$((passed + 1)); else echo "FAIL summary json fields"; failed=$((failed + 1)); fi
d1=$("$bin" run scenarios/exspec_pool.json | grep "trace digest")
d2=$("$bin" run scenarios/exspec_pool.json | grep "trace digest")
if [[ -n $d1 && $d1 == "$d2" ]]; then passed=$((passed + 1)); else echo "FAIL digest not reproducible: $d1 / $d2"; failed=$((failed + 1)); fi
# Token text (issue 12 item 7): the prompts' own bytes come back in the pictures' text block.
check "run prints each sequence's text" 0 '^  seq 3 +[0-9]+/[0-9]+ +accepted  "' -- "$bin" run scenarios/text_prompts.json --trace "$work/text.jsonl" --trace-details
check "viz --text bytes shows the rows as text" 0 "steps rendered" -- "$bin" viz "$work/text.jsonl" --out "$work/text-viz" --steps 1 --text bytes
if grep -q "&quot;Hello, ragged batch!&quot;" "$work/text-viz/step-001.svg"; then passed=$((passed + 1)); else echo "FAIL viz --text: prompt text missing from the SVG"; failed=$((failed + 1)); fi
check "viz --text with an unknown model" 2 "no-such-model" -- "$bin" viz "$work/text.jsonl" --out "$work/text-viz" --text no-such-model
# Sampled runs' pictures (issue 14): byte-level tokens such as "]" once broke Graphviz's label lexer.
check "run --viz on sampled_coupled" 0 "steps rendered" -- "$bin" run scenarios/sampled_coupled.json --viz "$work/coupled-viz"
check "run --viz on sampled_rejection" 0 "steps rendered" -- "$bin" run scenarios/sampled_rejection.json --viz "$work/rejection-viz"
ls "$work"/*.partial >/dev/null 2>&1 && { echo "FAIL a .partial file was left behind"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
