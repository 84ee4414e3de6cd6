// A strict, minimal reader of lockstep trace files (docs/cli.md, "Trace"): JSON Lines, one
// record per line. Every line must be a JSON object whose "event" is one the engine writes,
// with exactly that event's fields, each of the right type (integers, 16-digit lowercase hex
// digests, ...). The first record must be the single "run" record. Anything else is an
// InputError naming the origin, the line and the field. Used to validate traces written by
// other tools and as a fuzzing target; the viz/ reader is separate and renders traces.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lockstep::verify {

struct TraceRecord {
  int line = 0;  // 1-based line number in the file
  std::string event;
  nlohmann::json value;
};

// Limits that keep a hostile file from costing unbounded time or stack.
inline constexpr std::size_t kMaxTraceLineBytes = 64u << 20;
inline constexpr int kMaxTraceNesting = 16;

std::vector<TraceRecord> read_trace(std::istream& in, const std::string& origin);
std::vector<TraceRecord> read_trace_text(const std::string& text, const std::string& origin);
std::vector<TraceRecord> read_trace_file(const std::string& path);

// Checks one parsed record; `where` prefixes the error ("trace.jsonl: line 3").
void validate_trace_record(const nlohmann::json& record, const std::string& where);

}  // namespace lockstep::verify
