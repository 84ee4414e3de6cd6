#include "cli/replay_shard.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "sim/error.h"

namespace lockstep::cli {
namespace {

using nlohmann::json;

constexpr const char* kKind = "lockstep-replay-shard";

json header_json(const ReplayShardReport& r) {
  return json{{"kind", kKind},
              {"version", 1},
              {"shard", r.shard.index},
              {"of", r.shard.count},
              {"backends", r.run.backends},
              {"files", r.run.files},
              {"random", r.run.random},
              {"seed", r.run.seed},
              {"specbench", r.run.specbench},
              {"check", r.run.check},
              {"total", r.run.total}};
}

ReplayShardReport from_header(const json& h) {
  ReplayShardReport r;
  r.shard.index = h.at("shard").get<int>();
  r.shard.count = h.at("of").get<int>();
  r.run.backends = h.at("backends").get<std::string>();
  r.run.files = h.at("files").get<std::vector<std::string>>();
  r.run.random = h.at("random").get<int>();
  r.run.seed = h.at("seed").get<std::uint64_t>();
  r.run.specbench = h.at("specbench").get<std::string>();
  r.run.check = h.at("check").get<bool>();
  r.run.total = h.at("total").get<int>();
  if (r.shard.count < 1 || r.shard.index < 0 || r.shard.index >= r.shard.count)
    throw InputError(fmt::format("bad shard {}/{}", r.shard.index, r.shard.count));
  return r;
}

ReplayShardEntry from_entry(const json& e) {
  ReplayShardEntry out;
  out.index = e.at("index").get<int>();
  out.name = e.at("name").get<std::string>();
  out.identical = e.at("identical").get<bool>();
  out.digest = e.at("digest").get<std::string>();
  out.divergence = e.at("divergence").get<std::string>();
  out.numerics_divergences = e.value("numerics", 0);
  out.text = e.at("text").get<std::string>();
  return out;
}

}  // namespace

std::string replay_report_text(const ReplayShardReport& report) {
  std::string out = header_json(report).dump() + "\n";
  for (const auto& e : report.entries) {
    json line{{"index", e.index},           {"name", e.name},
              {"identical", e.identical},   {"digest", e.digest},
              {"divergence", e.divergence}, {"text", e.text}};
    if (e.numerics_divergences > 0) line["numerics"] = e.numerics_divergences;  // float only
    out += line.dump() + "\n";
  }
  return out;
}

bool is_replay_report(const std::string& text) {
  return text.rfind("{", 0) == 0 && text.find(kKind) < text.find('\n');
}

ReplayShardReport parse_replay_report(const std::string& text, const std::string& source) {
  ReplayShardReport report;
  const int lines = for_each_line(text, source, [&report](int number, const std::string& line) {
    const json value = json::parse(line);
    if (number > 1) {
      report.entries.push_back(from_entry(value));
      return;
    }
    if (value.value("kind", "") != kKind) throw InputError("not a replay shard report");
    report = from_header(value);
  });
  if (lines == 0) throw InputError(source + ": empty file, not a replay shard report");
  return report;
}

std::string replay_closing_line(int identical, int total, const std::string& backends) {
  const auto comma = backends.find(',');
  return fmt::format("lockstep replay: {} of {} scenarios identical on {} and {}\n", identical,
                     total, backends.substr(0, comma), backends.substr(comma + 1));
}

int replay_exit_status(const std::vector<const ReplayShardEntry*>& entries) {
  bool numerics = false;
  for (const auto* e : entries) {
    if (!e->identical) return 1;
    numerics = numerics || e->numerics_divergences > 0;
  }
  return numerics ? 4 : 0;
}

}  // namespace lockstep::cli
