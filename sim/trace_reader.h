// The one trace reader (docs/cli.md, "Trace"): JSON Lines, one record per line, every line
// parsed into its typed record by the strict schema (sim/trace_schema.h). The first record
// must be the single "run" record; at most one "timing" record, and nothing after it.
// Anything else is an InputError "ORIGIN: line N: ..." naming the field. A last line cut
// short (no newline, not valid JSON) is reported as a truncated record. Used by verify/
// (validation, fault tests), viz/ (pictures) and the fuzz target.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "sim/trace_schema.h"

namespace lockstep::sim::trace {

// Limits that keep a hostile file from costing unbounded time or stack.
inline constexpr std::size_t kMaxTraceLineBytes = 64u << 20;
inline constexpr int kMaxTraceNesting = 16;

struct TraceFile {
  std::string origin;           // the file name (or what the caller called the text)
  std::vector<Record> records;  // in file order; records.front() is the RunRecord
  int lines = 0;
  bool closed = false;  // ends with its "timing" record, as every finished run writes it

  const RunRecord& run() const { return std::get<RunRecord>(records.front()); }
};

TraceFile read_trace(std::istream& in, const std::string& origin);
TraceFile read_trace_text(const std::string& text, const std::string& origin);
TraceFile read_trace_file(const std::string& path);

}  // namespace lockstep::sim::trace
