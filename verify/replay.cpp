#include "verify/replay.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/hash.h"
#include "verify/verify.h"

namespace lockstep::verify {
namespace {

using nlohmann::json;

struct Record {
  int line = 0;
  json value;
  std::string text;
};

// Every record but timing and detail ones, which the trace digest excludes too.
std::vector<Record> compared_records(const std::string& text, const char* which) {
  std::vector<Record> out;
  std::istringstream in(text);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    json value = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!value.is_object() || !value.contains("event") || !value["event"].is_string()) {
      throw InputError(std::string("trace ") + which + ": line " + std::to_string(number) +
                       " is not a JSON object with an \"event\"");
    }
    const auto event = value["event"].get<std::string>();
    if (event == "timing" || event == "detail") continue;
    out.push_back(Record{number, std::move(value), line});
  }
  return out;
}

// The path of the first field where a and b differ ("" when equal), with both values.
bool first_difference(const json& a, const json& b, const std::string& path, std::string& where,
                      std::string& va, std::string& vb) {
  if (a == b) return false;
  if (a.is_object() && b.is_object()) {
    // Keys in sorted order (nlohmann::json objects are sorted), the union of both.
    auto ia = a.begin();
    auto ib = b.begin();
    while (ia != a.end() || ib != b.end()) {
      const bool take_a = ib == b.end() || (ia != a.end() && ia.key() < ib.key());
      const bool take_b = ia == a.end() || (ib != b.end() && ib.key() < ia.key());
      const std::string key = take_a ? ia.key() : ib.key();
      const std::string sub = path.empty() ? key : path + "." + key;
      if (take_a) {
        where = sub;
        va = ia->dump();
        vb = "<missing>";
        return true;
      }
      if (take_b) {
        where = sub;
        va = "<missing>";
        vb = ib->dump();
        return true;
      }
      if (first_difference(*ia, *ib, sub, where, va, vb)) return true;
      ++ia;
      ++ib;
    }
    return false;
  }
  if (a.is_array() && b.is_array()) {
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
      if (first_difference(a[i], b[i], path + "[" + std::to_string(i) + "]", where, va, vb))
        return true;
    }
    where = path + ".length";
    va = std::to_string(a.size());
    vb = std::to_string(b.size());
    return true;
  }
  where = path.empty() ? "<record>" : path;
  va = a.dump();
  vb = b.dump();
  return true;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read the replay trace " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A private temporary file name (mkstemp), removed on destruction.
class TempFile {
 public:
  TempFile() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "lockstep-replay-XXXXXX").string();
    const int fd = mkstemp(pattern.data());
    if (fd < 0) throw InputError("cannot create a temporary trace file for replay");
    ::close(fd);
    path_ = pattern;
  }
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
    std::filesystem::remove(path_ + ".partial", ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::uint64_t parse_hex(const json& value) {
  if (!value.is_string()) return 0;
  return std::stoull(value.get<std::string>(), nullptr, 16);
}

BackendReplay run_one(const sim::Scenario& scenario, const std::string& backend, bool check,
                      std::string& trace) {
  sim::Scenario s = scenario;
  s.backend = backend;
  TempFile file;
  CheckOptions options;
  options.check_invariants = check;
  options.trace_path = file.path();
  const auto start = std::chrono::steady_clock::now();
  const CheckedRun run = run_checked(s, options);
  BackendReplay out;
  out.backend = backend;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.trace_digest = run.trace_digest;
  out.ok = run.ok();
  out.violations = run.violation_count;
  out.numerics_divergences = run.numerics_divergences;
  trace = slurp(file.path());
  trace_digests(trace, out);
  return out;
}

}  // namespace

TraceDivergence compare_traces(const std::string& trace_a, const std::string& trace_b) {
  const auto a = compared_records(trace_a, "A");
  const auto b = compared_records(trace_b, "B");
  TraceDivergence d;
  std::int64_t step = -1;
  const std::size_t count = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < count; ++i) {
    const Record* ra = i < a.size() ? &a[i] : nullptr;
    const Record* rb = i < b.size() ? &b[i] : nullptr;
    const json& own = ra ? ra->value : rb->value;
    if (own.contains("step") && own["step"].is_number_integer())
      step = own["step"].get<std::int64_t>();
    if (ra && rb && ra->text == rb->text) continue;
    d.identical = false;
    d.record = static_cast<std::int64_t>(i);
    d.line_a = ra ? ra->line : 0;
    d.line_b = rb ? rb->line : 0;
    d.step = step;
    d.event = own["event"].get<std::string>();
    if (!ra || !rb) {
      d.field = "<end of trace>";
      d.value_a = ra ? ra->text : "<missing>";
      d.value_b = rb ? rb->text : "<missing>";
    } else if (!first_difference(ra->value, rb->value, "", d.field, d.value_a, d.value_b)) {
      // Same JSON, different bytes: a non-canonical writer.
      d.field = "<bytes>";
      d.value_a = ra->text;
      d.value_b = rb->text;
    }
    return d;
  }
  return d;
}

std::string describe(const TraceDivergence& d, const std::string& backend_a,
                     const std::string& backend_b) {
  if (d.identical) return "identical";
  std::ostringstream s;
  s << "first divergence at record " << d.record << " (" << backend_a << " line " << d.line_a
    << ", " << backend_b << " line " << d.line_b << "), step " << d.step << ", event \"" << d.event
    << "\", field " << d.field << ": " << backend_a << " " << d.value_a << " vs " << backend_b
    << " " << d.value_b;
  return s.str();
}

void trace_digests(const std::string& trace, BackendReplay& out) {
  const auto records = compared_records(trace, "trace");
  out.records = static_cast<std::int64_t>(records.size());
  std::uint64_t logits = sim::mix64(0);
  std::uint64_t kv = sim::mix64(0);
  for (const auto& r : records) {
    const auto& v = r.value;
    const auto event = v["event"].get<std::string>();
    if (event == "pass" && v.contains("logits"))
      logits = sim::combine(logits, parse_hex(v["logits"]));
    if (event == "state" && v.contains("rows") && v["rows"].is_array()) {
      kv = sim::mix64(0);
      for (const auto& row : v["rows"]) {
        if (row.is_object() && row.contains("kv")) kv = sim::combine(kv, parse_hex(row["kv"]));
      }
    }
  }
  out.logits_digest = logits;
  out.final_kv_digest = kv;
}

ReplayResult replay(const sim::Scenario& scenario, const ReplayOptions& options) {
  ReplayResult result;
  result.scenario = scenario.name;
  std::string trace_a, trace_b;
  result.a = run_one(scenario, options.backend_a, options.check_invariants, trace_a);
  result.b = run_one(scenario, options.backend_b, options.check_invariants, trace_b);
  result.divergence = compare_traces(trace_a, trace_b);
  return result;
}

std::string random_scenario_json(std::uint64_t seed, int index) {
  std::uint64_t state = sim::combine(sim::mix64(seed), static_cast<std::uint64_t>(index));
  // Own portable draws (no std::*_distribution): each call advances the counter.
  auto draw = [&](std::uint64_t n) {
    state = sim::mix64(state);
    return static_cast<int>(state % n);
  };
  const auto strategies = sim::strategy_names();
  const bool small = draw(4) == 0;
  const int vocab = small ? 512 : 256;
  json s;
  s["name"] = "random-" + std::to_string(seed) + "-" + std::to_string(index);
  s["description"] = "lockstep replay --random: scenario " + std::to_string(index) + " of seed " +
                     std::to_string(seed);
  s["backend"] = "symbolic";
  s["target"] = {{"preset", small ? "small" : "tiny"}, {"seed", draw(1000)}};
  const double probs[] = {0.0, 0.3, 0.6, 0.8, 1.0};
  if (draw(3) == 0) {
    s["draft"] = {{"kind", "model"}, {"target_layers", 1 + draw(small ? 4 : 2)}};
  } else {
    s["draft"] = {{"kind", "oracle"}, {"accept_prob", probs[draw(5)]}, {"seed", draw(100000)}};
    // The default draft model is draft-tiny (vocab 256); a small target needs draft-small.
    if (small) s["draft"]["model"] = {{"preset", "draft-small"}, {"seed", draw(1000)}};
  }
  s["strategy"] = strategies[static_cast<std::size_t>(draw(strategies.size()))];
  const int batch = 1 + draw(8);
  s["batch_size"] = batch;
  s["k"] = 1 + draw(6);
  s["max_new_tokens"] = 1 + draw(small ? 16 : 40);
  s["window"] = batch + draw(5);
  s["eos_token"] = draw(4) == 0 ? json(draw(vocab)) : json(nullptr);
  s["faults"] = json::array();
  json prompts = json::array();
  const int count = 1 + draw(10);
  for (int p = 0; p < count; ++p) {
    json prompt = json::array();
    const int length = 1 + draw(small ? 24 : 40);
    for (int t = 0; t < length; ++t) prompt.push_back(draw(vocab));
    prompts.push_back(std::move(prompt));
  }
  s["prompts"] = std::move(prompts);
  return s.dump();
}

sim::Scenario random_scenario(std::uint64_t seed, int index) {
  sim::Scenario s = sim::parse_scenario(
      random_scenario_json(seed, index),
      "random scenario " + std::to_string(index) + " of seed " + std::to_string(seed));
  sim::finalize_scenario(s, "");
  return s;
}

}  // namespace lockstep::verify
