// The one trace reader (see trace_reader.h): line framing, limits and record order here,
// every field in the schema's from_json.
#include "sim/trace_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/error.h"

namespace lockstep::sim::trace {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw InputError(where + ": " + message);
}

// Deepest bracket nesting of a JSON text (strings skipped), measured before parsing so a
// hostile line cannot drive the parser or the value's destructor arbitrarily deep.
int nesting(const std::string& text) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

json parse_line(const std::string& line, const std::string& where, bool last_without_newline) {
  if (line.size() > kMaxTraceLineBytes)
    fail(where, "line longer than " + std::to_string(kMaxTraceLineBytes) + " bytes");
  if (line.empty()) fail(where, "empty line (a trace has one record per line)");
  if (nesting(line) > kMaxTraceNesting)
    fail(where, "JSON nested deeper than " + std::to_string(kMaxTraceNesting) + " levels");
  try {
    return json::parse(line);
  } catch (const json::exception& e) {  // parse_error, or out_of_range (1e999)
    std::string message = e.what();
    if (auto pos = message.find("] "); pos != std::string::npos) message = message.substr(pos + 2);
    fail(where,
         (last_without_newline ? "malformed JSON, a truncated record (the trace was cut short): "
                               : "malformed JSON: ") +
             message);
  }
}

}  // namespace

TraceFile read_trace(std::istream& in, const std::string& origin) {
  TraceFile trace;
  trace.origin = origin;
  std::string line;
  while (std::getline(in, line)) {
    const std::string where = origin + ": line " + std::to_string(++trace.lines);
    if (trace.closed) fail(where, "a record after the closing 'timing' record");
    Record record = from_json(parse_line(line, where, in.eof()), where, trace.lines);
    const bool is_run = std::holds_alternative<RunRecord>(record);
    if (trace.records.empty() && !is_run) fail(where, "the first record must be the 'run' record");
    if (!trace.records.empty() && is_run) fail(where, "a second 'run' record");
    trace.closed = std::holds_alternative<TimingRecord>(record);
    trace.records.push_back(std::move(record));
  }
  if (in.bad()) throw InputError(origin + ": read error");
  if (trace.records.empty()) throw InputError(origin + ": empty trace (no 'run' record)");
  return trace;
}

TraceFile read_trace_text(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  return read_trace(in, origin);
}

TraceFile read_trace_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError("cannot read trace '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read trace '" + path + "': " + std::strerror(errno));
  return read_trace(in, path);
}

}  // namespace lockstep::sim::trace
