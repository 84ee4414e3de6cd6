#include "cli/sweep_shard.h"

#include <map>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::cli {
namespace {

using nlohmann::json;

constexpr const char* kKind = "lockstep-sweep-shard";
constexpr const char* kPointColumn = "grid_point,";

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) out.push_back(field);
  return out;
}

SweepShardFile from_header(const json& h) {
  SweepShardFile f;
  f.shard.index = h.at("shard").get<int>();
  f.shard.count = h.at("of").get<int>();
  if (f.shard.count < 1 || f.shard.index < 0 || f.shard.index >= f.shard.count)
    throw InputError(fmt::format("bad shard {}/{}", f.shard.index, f.shard.count));
  f.points = h.at("points").get<std::size_t>();
  f.grid = h.at("grid").get<std::string>();
  f.command = h.at("command").get<std::string>();
  f.dims.strategies = h.at("strategies").get<std::vector<std::string>>();
  f.dims.batch_sizes = h.at("batch_sizes").get<std::vector<int>>();
  f.dims.ks = h.at("ks").get<std::vector<int>>();
  f.dims.accept_probs = h.at("accept").get<std::vector<double>>();
  f.dims.costs = h.at("costs").get<std::vector<std::string>>();
  return f;
}

std::pair<std::size_t, std::string> parse_row(const std::string& line) {
  const auto comma = line.find(',');
  std::size_t used = 0;
  const std::string index = line.substr(0, comma);
  const unsigned long long point = std::stoull(index, &used);
  if (comma == std::string::npos || used != index.size())
    throw InputError("a row must start with its grid point index");
  return {static_cast<std::size_t>(point), line.substr(comma + 1)};
}

}  // namespace

std::string sweep_shard_text(const sim::SweepGrid& grid, const std::vector<sim::SweepRow>& rows,
                             ShardSpec shard, const std::string& command) {
  const json header{{"kind", kKind},
                    {"version", 1},
                    {"shard", shard.index},
                    {"of", shard.count},
                    {"points", sim::sweep_points(grid).size()},
                    {"grid", sim::hex64(sim::sweep_grid_digest(grid))},
                    {"command", command},
                    {"strategies", grid.strategies},
                    {"batch_sizes", grid.batch_sizes},
                    {"ks", grid.ks},
                    {"accept", grid.accept_probs},
                    {"costs", grid.costs}};
  std::string out = "# " + header.dump() + "\n" + kPointColumn + sim::sweep_csv_header() + "\n";
  for (const auto& r : rows)
    out += fmt::format("{},{}\n", r.grid_point, sim::sweep_csv_line(grid, r));
  return out;
}

bool is_sweep_shard(const std::string& text) {
  return text.rfind("# {", 0) == 0 && text.find(kKind) < text.find('\n');
}

SweepShardFile parse_sweep_shard(const std::string& text, const std::string& source) {
  SweepShardFile file;
  const int lines = for_each_line(text, source, [&file](int number, const std::string& line) {
    if (number == 1) {
      if (!is_sweep_shard(line)) throw InputError("not a sweep shard file");
      file = from_header(json::parse(line.substr(2)));
    } else if (number == 2) {
      if (line != kPointColumn + sim::sweep_csv_header())
        throw InputError("the CSV header is not this lockstep's sweep header");
    } else {
      file.rows.push_back(parse_row(line));
    }
  });
  if (lines < 2) throw InputError(source + ": truncated, not a sweep shard file");
  return file;
}

std::vector<sim::SweepRow> parse_sweep_rows(const std::string& csv) {
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  std::map<std::string, std::size_t> column;
  const auto names = split_csv_line(line);
  for (std::size_t i = 0; i < names.size(); ++i) column[names[i]] = i;
  std::vector<sim::SweepRow> rows;
  while (std::getline(in, line)) {
    const auto f = split_csv_line(line);
    auto at = [&](const char* name) -> const std::string& { return f.at(column.at(name)); };
    sim::SweepRow r;
    r.point.strategy = at("strategy");
    r.point.batch_size = std::stoi(at("batch_size"));
    r.point.k = std::stoi(at("k"));
    r.point.accept_prob = std::stod(at("accept_prob"));
    r.cost = at("cost");
    r.mode = at("realign_mode") == sim::realign_mode_name(sim::RealignMode::paper)
                 ? sim::RealignMode::paper
                 : sim::RealignMode::inplace;
    r.mean_tokens_per_step = std::stod(at("mean_tokens_per_step"));
    r.tokens_per_second = std::stod(at("pred_tokens_per_s"));
    r.realign_share = std::stod(at("realign_share"));
    rows.push_back(r);
  }
  return rows;
}

}  // namespace lockstep::cli
