#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (-fsanitize=fuzzer,address,undefined) and runs them.
#   tests/fuzz/build-and-run.sh --smoke            each target over its corpus + 2000 runs (CTest)
#   tests/fuzz/build-and-run.sh --time 600 [T...]  fuzz each target T (scenario, trace, gguf) for
#                                                  600 s, one after another
# Binaries and the growing corpus live in $LOCKSTEP_FUZZ_DIR (default build/fuzz); the seed
# corpus in tests/fuzz/corpus/<target> is only read. Exit 0: no crash, leak, hang or
# unexpected exception; 77: clang with libFuzzer is not available (CTest counts it skipped).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=${LOCKSTEP_FUZZ_DIR:-$root/build/fuzz}
cxx=${CLANGXX:-clang++}
mode=time
seconds=600
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) mode=smoke; shift ;;
    --time) seconds=$2; shift 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[[ ${#targets[@]} -gt 0 ]] || targets=(scenario trace gguf)

if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "fuzz: $cxx not found; skipping"
  exit 77
fi
if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
     "$cxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
  echo "fuzz: $cxx cannot link -fsanitize=fuzzer (libFuzzer missing); skipping"
  exit 77
fi
mkdir -p "$out"

# The scenario loader may call into any part of sim/ (model presets, faults, cost specs), so
# its target links all of sim/ (sim/ depends on nothing but nlohmann_json); the trace reader
# needs only the trace schema and the hash helpers. Objects are cached and rebuilt when a source or any header is newer.
sources_scenario=(tests/fuzz/fuzz_scenario.cpp $(cd "$root" && ls sim/*.cpp))
sources_trace=(tests/fuzz/fuzz_trace.cpp sim/trace_reader.cpp sim/trace_parse.cpp sim/trace_fields.cpp
               sim/trace_schema.cpp sim/hash.cpp sim/pass_sampling.cpp
               sim/trace_judgement.cpp sim/rejection.cpp)
# The GGUF reader needs only gguf/ (and sim/error.h's header-only InputError).
sources_gguf=(tests/fuzz/fuzz_gguf.cpp $(cd "$root" && ls gguf/*.cpp))
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -I"$root")
mkdir -p "$out/obj"
newest_header=$(cd "$root" && ls -t sim/*.h verify/*.h gguf/*.h | head -1)

build() {
  local t=$1; local -n srcs="sources_$t"
  local bin="$out/fuzz_$t" objs=() relink=0
  for s in "${srcs[@]}"; do
    local o="$out/obj/${s//\//_}.o"
    if [[ ! -f $o || "$root/$s" -nt $o || "$root/$newest_header" -nt $o ]]; then
      echo "fuzz: compiling $s"
      "$cxx" "${flags[@]}" -c "$root/$s" -o "$o.tmp" && mv "$o.tmp" "$o"
      relink=1
    fi
    objs+=("$o")
  done
  if [[ $relink == 1 || ! -x $bin ]]; then
    echo "fuzz: linking $bin"
    "$cxx" "${flags[@]}" "${objs[@]}" -o "$bin.tmp" && mv "$bin.tmp" "$bin"
  fi
}

for t in "${targets[@]}"; do
  build "$t"
  work="$out/corpus-$t"
  mkdir -p "$work"
  common=(-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
          -artifact_prefix="$out/crash-$t-")
  if [[ $mode == smoke ]]; then
    # The corpus once, then 2000 mutations. libFuzzer writes new inputs into its FIRST corpus
    # directory, so that is a scratch one, emptied each time: the seed corpus stays read-only.
    scratch="$out/smoke-$t"
    rm -rf "$scratch" && mkdir -p "$scratch"
    "$out/fuzz_$t" "${common[@]}" -runs=2000 -seed=1 "$scratch" "$root/tests/fuzz/corpus/$t"
  else
    echo "fuzz: $t for ${seconds}s (corpus $work)"
    "$out/fuzz_$t" "${common[@]}" -max_total_time="$seconds" "$work" "$root/tests/fuzz/corpus/$t"
  fi
done
