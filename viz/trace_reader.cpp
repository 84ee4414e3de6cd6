// Trace parsing with errors that point at the line and field, so a user holding a broken
// or hand-edited trace knows exactly where to look.
#include "viz/trace_reader.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "sim/error.h"

namespace lockstep::viz {
namespace {

using nlohmann::json;

// One record being read: every accessor names the file, line, event and field on failure.
class Fields {
 public:
  Fields(const json& j, const std::string& name, int line, std::string event)
      : j_(j), name_(name), line_(line), event_(std::move(event)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(name_ + " line " + std::to_string(line_) + ": field '" + field + "' of a \"" +
                     event_ + "\" record " + what);
  }
  const json& at(const std::string& field) const {
    auto it = j_.find(field);
    if (it == j_.end()) fail(field, "is missing");
    return *it;
  }
  bool has(const std::string& field) const { return j_.contains(field); }
  int integer(const std::string& field) const {
    const json& v = at(field);
    if (!v.is_number_integer()) fail(field, "must be an integer");
    return v.get<int>();
  }
  std::int64_t integer64(const std::string& field) const {
    const json& v = at(field);
    if (!v.is_number_integer()) fail(field, "must be an integer");
    return v.get<std::int64_t>();
  }
  bool boolean(const std::string& field) const {
    const json& v = at(field);
    if (!v.is_boolean()) fail(field, "must be true or false");
    return v.get<bool>();
  }
  std::string text(const std::string& field) const {
    const json& v = at(field);
    if (!v.is_string()) fail(field, "must be a string");
    return v.get<std::string>();
  }
  std::vector<int> ints(const std::string& field) const { return ints_of(at(field), field); }
  std::vector<int> ints_of(const json& v, const std::string& field) const {
    if (!v.is_array()) fail(field, "must be an array of integers");
    std::vector<int> out;
    out.reserve(v.size());
    for (const auto& x : v) {
      if (!x.is_number_integer()) fail(field, "must be an array of integers");
      out.push_back(x.get<int>());
    }
    return out;
  }
  const json& array(const std::string& field) const {
    const json& v = at(field);
    if (!v.is_array()) fail(field, "must be an array");
    return v;
  }
  Fields sub(const json& j, const std::string& field) const {
    if (!j.is_object()) fail(field, "must hold objects");
    return Fields(j, name_, line_, event_ + "." + field);
  }

 private:
  const json& j_;
  const std::string& name_;
  int line_;
  std::string event_;
};

PassRecord read_pass(const Fields& f, int line) {
  PassRecord p;
  p.line = line;
  p.step = f.integer("step");
  p.model = f.text("model");
  const std::string form = f.text("form");
  if (form != "padded" && form != "packed") f.fail("form", "must be \"padded\" or \"packed\"");
  p.packed = form == "packed";
  p.cache = f.integer("cache");
  p.cache_rows = f.ints("cache_rows");
  p.input_ids = f.ints("input_ids");
  p.positions = f.ints("positions");
  for (const auto& t : f.array("tags")) {
    if (!t.is_array() || t.size() != 2 || !t[0].is_number_integer() || !t[1].is_number_integer())
      f.fail("tags", "must be an array of [seq, index] pairs");
    p.tags.push_back({t[0].get<int>(), t[1].get<int>()});
  }
  const std::size_t n = p.input_ids.size();
  if (p.positions.size() != n || p.tags.size() != n)
    f.fail("positions", "and 'tags' must have one entry per input id");
  if (p.packed) {
    p.row_offsets = f.ints("row_offsets");
    p.kv_extent = f.ints("kv_extent");
    if (p.row_offsets.size() != p.cache_rows.size() + 1 ||
        p.row_offsets.back() != static_cast<int>(n))
      f.fail("row_offsets", "must have rows + 1 entries ending at the token count");
    if (p.kv_extent.size() != p.cache_rows.size())
      f.fail("kv_extent", "must have one entry per row");
  } else {
    p.rows = f.integer("rows");
    p.tokens = f.integer("tokens");
    p.past = f.integer("past");
    p.write_slots = f.ints("write_slots");
    for (const auto& m : f.array("mask")) {
      if (!m.is_string()) f.fail("mask", "must be an array of 0/1 strings");
      p.mask.push_back(m.get<std::string>());
    }
    const auto cells = static_cast<std::size_t>(p.rows) * static_cast<std::size_t>(p.tokens);
    if (p.rows < 0 || p.tokens < 0 || n != cells)
      f.fail("input_ids", "must hold rows x tokens entries");
    if (p.write_slots.size() != n) f.fail("write_slots", "must hold rows x tokens entries");
    if (p.cache_rows.size() != static_cast<std::size_t>(p.rows))
      f.fail("cache_rows", "must have one entry per row");
    if (p.mask.size() != static_cast<std::size_t>(p.rows))
      f.fail("mask", "must have one string per row");
    for (const auto& m : p.mask) {
      if (m.size() != static_cast<std::size_t>(p.past + p.tokens))
        f.fail("mask", "rows must have past + tokens columns");
    }
  }
  return p;
}

MovesRecord read_moves(const Fields& f, int line) {
  MovesRecord m;
  m.line = line;
  m.step = f.integer("step");
  m.model = f.text("model");
  m.src = f.integer("src");
  m.dst = f.integer("dst");
  m.bytes = f.integer64("bytes");
  for (const auto& mv : f.array("moves")) {
    const auto v = f.ints_of(mv, "moves");
    if (v.size() != 5)
      f.fail("moves", "entries must be [src_row, src_slot, dst_row, dst_slot, length]");
    m.moves.push_back({v[0], v[1], v[2], v[3], v[4]});
  }
  return m;
}

VerifyRecord read_verify(const Fields& f, int line) {
  VerifyRecord v;
  v.line = line;
  v.step = f.integer("step");
  v.form = f.text("form");
  v.width = f.integer("width");
  v.grouped = f.boolean("grouped");
  for (const auto& r : f.array("rows")) {
    const Fields row = f.sub(r, "rows");
    v.rows.push_back({row.integer("seq"), row.integer("row"), row.integer("pad"),
                      row.integer("accepted"), row.integer("committed"), row.boolean("finished"),
                      row.ints("drafts"), row.ints("targets")});
  }
  return v;
}

}  // namespace

int event_step(const Event& e) {
  return std::visit(
      [](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, CacheRecord>) {
          return 0;
        } else {
          return r.step;
        }
      },
      e);
}

Trace read_trace(std::istream& in, const std::string& name) {
  Trace trace;
  trace.name = name;
  std::string text;
  int line = 0;
  bool saw_run = false, saw_timing = false;
  while (std::getline(in, text)) {
    ++line;
    const bool last_without_newline = in.eof();
    if (text.empty()) throw InputError(name + " line " + std::to_string(line) + ": empty line");
    if (saw_timing) {
      throw InputError(name + " line " + std::to_string(line) +
                       ": record after the closing \"timing\" record");
    }
    json j;
    try {
      j = json::parse(text);
    } catch (const json::parse_error& e) {
      throw InputError(name + " line " + std::to_string(line) +
                       (last_without_newline ? ": truncated record (the trace was cut short): "
                                             : ": not valid JSON: ") +
                       e.what());
    }
    if (!j.is_object() || !j.contains("event") || !j["event"].is_string()) {
      throw InputError(name + " line " + std::to_string(line) +
                       ": not a trace record (needs an \"event\" string)");
    }
    const std::string event = j["event"].get<std::string>();
    const Fields f(j, name, line, event);
    if (!saw_run && event != "run") {
      throw InputError(name + " line " + std::to_string(line) +
                       ": the first record must be the \"run\" record, found \"" + event + "\"");
    }
    if (event == "run") {
      trace.run = {f.text("scenario"), f.text("strategy"), f.integer("batch_size"), f.integer("k"),
                   f.has("window") ? f.integer("window") : 0};
      saw_run = true;
    } else if (event == "cache") {
      trace.events.push_back(CacheRecord{line, f.integer("cache"), f.text("model"),
                                         f.integer("rows"), f.integer("capacity"),
                                         f.integer64("bytes_per_slot")});
    } else if (event == "detail") {
      const std::string what = f.text("what");
      trace.has_details = true;
      if (what == "pass") {
        trace.events.push_back(read_pass(f, line));
      } else if (what == "crop") {
        trace.events.push_back(CropRecord{line, f.integer("step"), f.integer("cache"),
                                          f.integer("row"), f.integer("from")});
      } else {
        f.fail("what", "must be \"pass\" or \"crop\"");
      }
    } else if (event == "verify") {
      trace.events.push_back(read_verify(f, line));
    } else if (event == "moves") {
      trace.events.push_back(read_moves(f, line));
    } else if (event == "state") {
      StateRecord st{line, f.integer("step"), {}};
      for (const auto& r : f.array("rows")) {
        const Fields row = f.sub(r, "rows");
        st.rows.push_back({row.integer("seq"), row.text("model"), row.integer("row"),
                           row.integer("first"), row.integer("length")});
      }
      trace.events.push_back(std::move(st));
    } else if (event == "violation") {
      trace.violations.push_back({line, f.text("invariant"), f.integer("step"), f.integer("row"),
                                  f.integer("slot"), f.text("detail")});
    } else if (event == "timing") {
      saw_timing = true;
    }
    // "pass", "finish" and unknown events carry digests the pictures do not need.
    if (!trace.events.empty())
      trace.last_step = std::max(trace.last_step, event_step(trace.events.back()));
  }
  if (line == 0) throw InputError(name + ": empty trace");
  if (!saw_timing) {
    throw InputError(name + " line " + std::to_string(line) +
                     ": the trace ends without its closing \"timing\" record (truncated?)");
  }
  return trace;
}

Trace read_trace_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read trace file '" + path + "'");
  return read_trace(in, path);
}

}  // namespace lockstep::viz
