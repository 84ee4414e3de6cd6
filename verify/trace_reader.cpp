#include "verify/trace_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/error.h"

namespace lockstep::verify {
namespace {

using nlohmann::json;

enum class Kind {
  integer,
  non_negative,
  boolean,
  string,
  hex,
  number,
  int_or_null,
  ints,
  strings,
  object,
  array
};

struct Field {
  const char* name;
  Kind kind;
};

using Schema = std::vector<Field>;

const char* kind_text(Kind k) {
  switch (k) {
    case Kind::integer:
      return "an integer";
    case Kind::non_negative:
      return "a non-negative integer";
    case Kind::boolean:
      return "true or false";
    case Kind::string:
      return "a string";
    case Kind::hex:
      return "a 16-digit lowercase hex string";
    case Kind::number:
      return "a number";
    case Kind::int_or_null:
      return "an integer or null";
    case Kind::ints:
      return "an array of integers";
    case Kind::strings:
      return "an array of strings";
    case Kind::object:
      return "an object";
    case Kind::array:
      return "an array";
  }
  return "?";
}

bool is_hex16(const json& v) {
  if (!v.is_string()) return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() == 16 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool matches(const json& v, Kind k) {
  switch (k) {
    case Kind::integer:
      return v.is_number_integer();
    case Kind::non_negative:
      return v.is_number_unsigned() || (v.is_number_integer() && v.get<std::int64_t>() >= 0);
    case Kind::boolean:
      return v.is_boolean();
    case Kind::string:
      return v.is_string();
    case Kind::hex:
      return is_hex16(v);
    case Kind::number:
      return v.is_number();
    case Kind::int_or_null:
      return v.is_null() || v.is_number_integer();
    case Kind::ints:
      return v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); });
    case Kind::strings:
      return v.is_array() &&
             std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
    case Kind::object:
      return v.is_object();
    case Kind::array:
      return v.is_array();
  }
  return false;
}

[[noreturn]] void fail(const std::string& where, const std::string& message) {
  throw InputError(where + ": " + message);
}

// Exactly the fields of `schema`, each of its kind; `path` names the object in messages.
void check_object(const json& v, const Schema& schema, const std::string& where,
                  const std::string& path) {
  if (!v.is_object()) fail(where, path + " must be an object");
  for (const auto& item : v.items()) {
    const std::string& key = item.key();
    const bool known =
        std::any_of(schema.begin(), schema.end(), [&](const Field& f) { return key == f.name; });
    if (!known) fail(where, "unknown field '" + path + key + "'");
  }
  for (const auto& f : schema) {
    const auto it = v.find(f.name);
    if (it == v.end()) fail(where, "missing field '" + path + f.name + "'");
    if (!matches(*it, f.kind)) {
      std::string got = it->dump();
      if (got.size() > 40) got = got.substr(0, 37) + "...";
      fail(where, "field '" + path + f.name + "' must be " + kind_text(f.kind) + ", got " + got);
    }
  }
}

void check_model(const json& v, const std::string& where, const std::string& field) {
  const auto& s = v.get_ref<const std::string&>();
  if (s != "target" && s != "draft")
    fail(where, "field '" + field + "' must be \"target\" or \"draft\", got \"" + s + "\"");
}

void check_form(const json& v, const std::string& where) {
  const auto& s = v.get_ref<const std::string&>();
  if (s != "padded" && s != "packed")
    fail(where, "field 'form' must be \"padded\" or \"packed\", got \"" + s + "\"");
}

const std::map<std::string, Schema>& schemas() {
  using K = Kind;
  static const std::map<std::string, Schema> table = {
      {"run",
       {{"event", K::string},
        {"scenario", K::string},
        {"strategy", K::string},
        {"batch_size", K::non_negative},
        {"k", K::non_negative},
        {"max_new_tokens", K::non_negative},
        {"window", K::non_negative},
        {"eos_token", K::int_or_null},
        {"target", K::string},
        {"target_seed", K::non_negative},
        {"draft_model", K::string},
        {"draft_seed", K::non_negative},
        {"sequences", K::non_negative},
        {"prompts", K::hex},
        {"faults", K::strings}}},
      {"cache",
       {{"event", K::string},
        {"model", K::string},
        {"cache", K::non_negative},
        {"rows", K::non_negative},
        {"capacity", K::non_negative},
        {"bytes_per_slot", K::non_negative}}},
      {"pass",
       {{"event", K::string},
        {"step", K::non_negative},
        {"model", K::string},
        {"form", K::string},
        {"rows", K::non_negative},
        {"tokens", K::non_negative},
        {"past", K::non_negative},
        {"inputs", K::hex},
        {"positions", K::hex},
        {"mask", K::hex},
        {"argmax", K::hex},
        {"logits", K::hex}}},
      {"verify",
       {{"event", K::string},
        {"step", K::non_negative},
        {"form", K::string},
        {"width", K::non_negative},
        {"grouped", K::boolean},
        {"rows", K::array}}},
      {"moves",
       {{"event", K::string},
        {"step", K::non_negative},
        {"model", K::string},
        {"src", K::non_negative},
        {"dst", K::non_negative},
        {"moves", K::array},
        {"bytes", K::non_negative}}},
      {"state", {{"event", K::string}, {"step", K::non_negative}, {"rows", K::array}}},
      {"finish",
       {{"event", K::string},
        {"step", K::non_negative},
        {"seq", K::non_negative},
        {"generated", K::ints}}},
      {"violation",
       {{"event", K::string},
        {"invariant", K::string},
        {"step", K::non_negative},
        {"row", K::integer},
        {"slot", K::integer},
        {"detail", K::string}}},
      {"timing",
       {{"event", K::string},
        {"backend", K::string},
        {"run_seconds", K::number},
        {"reference_seconds", K::number},
        {"stage_seconds", K::object}}},
  };
  return table;
}

const Schema kVerifyRow = {{"seq", Kind::non_negative},       {"row", Kind::non_negative},
                           {"pad", Kind::non_negative},       {"drafts", Kind::ints},
                           {"targets", Kind::ints},           {"accepted", Kind::non_negative},
                           {"committed", Kind::non_negative}, {"finished", Kind::boolean}};
const Schema kStateRow = {{"seq", Kind::non_negative},
                          {"model", Kind::string},
                          {"row", Kind::non_negative},
                          {"first", Kind::non_negative},
                          {"length", Kind::non_negative},
                          {"width", Kind::non_negative},
                          {"kv", Kind::hex}};
const Schema kStages = {{"draft", Kind::number},
                        {"verify", Kind::number},
                        {"realign", Kind::number},
                        {"prefill", Kind::number},
                        {"other", Kind::number}};

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

}  // namespace

void validate_trace_record(const json& record, const std::string& where) {
  if (!record.is_object()) fail(where, "a trace record must be a JSON object");
  const auto ev = record.find("event");
  if (ev == record.end()) fail(where, "missing field 'event'");
  if (!ev->is_string()) fail(where, "field 'event' must be a string");
  const auto& event = ev->get_ref<const std::string&>();
  if (event == "detail") {
    // Full-tensor records for pictures: free-form beyond what they are and when.
    if (!record.contains("what") || !record["what"].is_string())
      fail(where, "detail record: field 'what' must be a string");
    if (!record.contains("step") || !matches(record["step"], Kind::non_negative))
      fail(where, "detail record: field 'step' must be a non-negative integer");
    return;
  }
  const auto it = schemas().find(event);
  if (it == schemas().end()) fail(where, "unknown event '" + event + "'");
  check_object(record, it->second, where, "");
  if (record.contains("model")) check_model(record["model"], where, "model");
  if (record.contains("form")) check_form(record["form"], where);
  if (event == "verify") {
    const json& rows = record["rows"];
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string path = "rows[" + std::to_string(i) + "].";
      check_object(rows[i], kVerifyRow, where, path);
      if (rows[i]["targets"].size() != rows[i]["drafts"].size() + 1)
        fail(where, "field '" + path + "targets' must hold one more entry than 'drafts'");
      if (rows[i]["accepted"].get<std::uint64_t>() > rows[i]["drafts"].size())
        fail(where, "field '" + path + "accepted' exceeds the number of drafts");
    }
  } else if (event == "state") {
    const json& rows = record["rows"];
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const std::string path = "rows[" + std::to_string(i) + "].";
      check_object(rows[i], kStateRow, where, path);
      check_model(rows[i]["model"], where, path + "model");
    }
  } else if (event == "moves") {
    const json& moves = record["moves"];
    for (std::size_t i = 0; i < moves.size(); ++i) {
      const json& m = moves[i];
      if (!m.is_array() || m.size() != 5 || !matches(m, Kind::ints) ||
          std::any_of(m.begin(), m.end(),
                      [](const json& e) { return !matches(e, Kind::non_negative); })) {
        fail(where, "field 'moves[" + std::to_string(i) +
                        "]' must be [src_row, src_slot, dst_row, dst_slot, length], non-negative "
                        "integers");
      }
    }
  } else if (event == "timing") {
    check_object(record["stage_seconds"], kStages, where, "stage_seconds.");
  }
}

std::vector<TraceRecord> read_trace(std::istream& in, const std::string& origin) {
  std::vector<TraceRecord> out;
  std::string line;
  int timing = 0;
  for (int line_no = 1; std::getline(in, line); ++line_no) {
    const std::string where = origin + ": line " + std::to_string(line_no);
    if (line.size() > kMaxTraceLineBytes)
      fail(where, "line longer than " + std::to_string(kMaxTraceLineBytes) + " bytes");
    if (line.empty()) fail(where, "empty line (a trace has one record per line)");
    if (nesting(line) > kMaxTraceNesting)
      fail(where, "JSON nested deeper than " + std::to_string(kMaxTraceNesting) + " levels");
    json record;
    try {
      record = json::parse(line);
    } catch (const json::exception& e) {  // parse_error, or out_of_range (1e999)
      std::string message = e.what();
      if (auto pos = message.find("] "); pos != std::string::npos)
        message = message.substr(pos + 2);
      fail(where, "malformed JSON: " + message);
    }
    validate_trace_record(record, where);
    const std::string event = record["event"].get<std::string>();
    if (out.empty() && event != "run") fail(where, "the first record must be the 'run' record");
    if (!out.empty() && event == "run") fail(where, "a second 'run' record");
    if (event == "timing" && ++timing > 1) fail(where, "a second 'timing' record");
    out.push_back({line_no, event, std::move(record)});
  }
  if (in.bad()) throw InputError(origin + ": read error");
  if (out.empty()) throw InputError(origin + ": empty trace (no 'run' record)");
  return out;
}

std::vector<TraceRecord> read_trace_text(const std::string& text, const std::string& origin) {
  std::istringstream in(text);
  return read_trace(in, origin);
}

std::vector<TraceRecord> read_trace_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError("cannot read trace '" + path + "': it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read trace '" + path + "': " + std::strerror(errno));
  return read_trace(in, path);
}

}  // namespace lockstep::verify
