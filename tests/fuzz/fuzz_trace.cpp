// libFuzzer target: the one trace reader (sim::trace::read_trace_text) on arbitrary bytes.
// Contract checked: every input is either accepted as a trace or rejected with an InputError
// whose message names the origin (and, for a bad record, the line). Any other exception, a
// crash, a sanitizer report or a hang is a bug. Built by tests/fuzz/build-and-run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <variant>

#include "sim/error.h"
#include "sim/trace_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const auto trace = lockstep::sim::trace::read_trace_text(text, "fuzz.jsonl");
    if (trace.records.empty() ||
        !std::holds_alternative<lockstep::sim::trace::RunRecord>(trace.records.front())) {
      std::fprintf(stderr, "accepted a trace without a leading run record\n");
      std::abort();
    }
  } catch (const lockstep::InputError& e) {
    if (std::string(e.what()).rfind("fuzz.jsonl", 0) != 0) {
      std::fprintf(stderr, "error does not name the trace: %s\n", e.what());
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception (not a clear InputError): %s\n", e.what());
    std::abort();
  }
  return 0;
}
