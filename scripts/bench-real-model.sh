#!/usr/bin/env bash
# Speed of the real model (SmolLM2-135M, issue 12 item 9), measured in one run on this machine:
# lockstep's cpu backend (exact numerics, batch-1 AR and batch 8 AR through `lockstep bench`),
# llama.cpp on the same GGUF file and the same prompt ids (PyPI llama-cpp-python, in a venv
# this script makes; pip compiles llama.cpp from source the first time, several minutes), and
# the Eigen float32 GEMM time of the same matrix products (bench/real_model_floor.cpp).
# Everything runs on --threads threads (default 1: shared machines make threaded timings
# noise). Not a test: it asserts nothing about speed; it prints a table and keeps its logs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage() {
  cat <<USAGE
usage: scripts/bench-real-model.sh --specbench PATH [--prompts N] [--new-tokens N]
                                   [--threads N] [--repeats N] [--out DIR]
  --specbench PATH  SpecBench question.jsonl (the prompts: first turns in the chat template)
  --prompts N       prompts per batch-8 run (default 8; batch 1 runs the first of them)
  --new-tokens N    generated tokens per sequence (default 32)
  --threads N       threads for lockstep and llama.cpp alike (default 1)
  --repeats N       timed lockstep runs per point (default 3)
  --out DIR         logs and CSV (default out/bench-real-model)
Environment: LOCKSTEP_MODELS (model cache), LOCKSTEP_BENCH_VENV (llama-cpp-python venv,
default build/bench-venv), LOCKSTEP_BIN (build/default/bin).
USAGE
}
specbench="" prompts=8 new_tokens=32 threads=1 repeats=3 out="out/bench-real-model"
while (($#)); do
  case "$1" in
    --specbench) specbench="$2"; shift 2 ;;
    --prompts) prompts="$2"; shift 2 ;;
    --new-tokens) new_tokens="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --repeats) repeats="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench-real-model: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
[[ -f "$specbench" ]] || { echo "bench-real-model: --specbench PATH is required and must exist" >&2; exit 2; }
bin="${LOCKSTEP_BIN:-$root/build/default/bin}"
for tool in lockstep real_model_floor; do
  [[ -x "$bin/$tool" ]] || { echo "bench-real-model: $bin/$tool missing (build first)" >&2; exit 2; }
done
"$root/scripts/fetch-model.sh" smollm2-135m >&2
model="${LOCKSTEP_MODELS:-$HOME/.cache/lockstep/models}/smollm2-135m.gguf"
venv="${LOCKSTEP_BENCH_VENV:-$root/build/bench-venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import llama_cpp, numpy' 2>/dev/null; then
  echo "bench-real-model: making $venv with llama-cpp-python (compiles llama.cpp once)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check numpy llama-cpp-python==0.3.36
fi
mkdir -p "$out"
scenario="$root/scenarios/models/smollm2_specbench.json"
max_prompt=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["prompts"]["specbench"]["max_prompt_tokens"])' "$scenario")

# The same prompt ids for both engines: the scenario's chat-template prompts, cut like it cuts them.
"$bin/lockstep" tokenize --model smollm2-135m --specbench "$specbench" --count "$prompts" --chat --json |
  python3 -c 'import json,sys
cut=int(sys.argv[1])
for line in sys.stdin:
    r=json.loads(line); r["ids"]=r["ids"][:cut]; print(json.dumps({"ids": r["ids"]}))' "$max_prompt" \
  > "$out/prompts.jsonl"

echo "bench-real-model: lockstep (exact, cpu backend, $threads thread(s))" >&2
LOCKSTEP_THREADS="$threads" "$bin/lockstep" bench "$scenario" --specbench "$specbench" \
  --strategies ar --batch-sizes 1,8 --max-new-tokens "$new_tokens" --repeats "$repeats" \
  --warmup 0 --out "$out/lockstep" > "$out/lockstep.log"
for b in 1 8; do
  echo "bench-real-model: llama.cpp batch $b" >&2
  "$venv/bin/python" "$root/bench/real-model/llama_cpp_time.py" --model "$model" \
    --prompts "$out/prompts.jsonl" --batch "$b" --new-tokens "$new_tokens" --threads "$threads" \
    > "$out/llama_cpp_b$b.json"
  OMP_NUM_THREADS="$threads" "$bin/real_model_floor" "$model" "$b" 5 > "$out/floor_b$b.json"
done
python3 "$root/bench/real-model/report.py" "$out" | tee "$out/report.md"
