#include "cli/merge_command.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/output.h"
#include "cli/replay_shard.h"
#include "cli/shard.h"
#include "cli/sweep_command.h"
#include "cli/sweep_shard.h"
#include "sim/error.h"

namespace lockstep::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> files;
  std::string out_path;
  std::string plots_dir;
};

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
  } else {
    write_file_atomically(path, text);
    std::cerr << "merge: written to " << path << "\n";
  }
}

// The first field in which two shards' runs differ, as "field: a vs b"; empty when none.
std::string run_difference(const ReplayRunIdentity& a, const ReplayRunIdentity& b) {
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return "[" + out + "]";
  };
  if (a.backends != b.backends) return fmt::format("--backends {} vs {}", a.backends, b.backends);
  if (a.files != b.files)
    return fmt::format("scenario files {} vs {}", join(a.files), join(b.files));
  if (a.random != b.random) return fmt::format("--random {} vs {}", a.random, b.random);
  if (a.seed != b.seed) return fmt::format("--seed {} vs {}", a.seed, b.seed);
  if (a.specbench != b.specbench)
    return fmt::format("--specbench '{}' vs '{}'", a.specbench, b.specbench);
  if (a.check != b.check) return "--no-check given to one and not the other";
  if (a.total != b.total) return fmt::format("{} vs {} scenarios", a.total, b.total);
  return "";
}

// Checks that `report` holds exactly its shard's scenarios, in order.
void check_replay_entries(const ReplayShardReport& report, const std::string& source) {
  std::size_t next = 0;
  for (int index = 0; index < report.run.total; ++index) {
    if (!report.shard.owns(static_cast<std::size_t>(index))) continue;
    if (next >= report.entries.size() || report.entries[next].index != index) {
      throw InputError(
          fmt::format("{} (shard {}) lacks scenario {}: a shard report from an "
                      "interrupted or edited run?",
                      source, report.shard.label(), index));
    }
    ++next;
  }
  if (next != report.entries.size()) {
    throw InputError(fmt::format("{} (shard {}) holds scenario {}, which is not its own", source,
                                 report.shard.label(), report.entries[next].index));
  }
}

int merge_replay(const std::vector<std::string>& texts, const MergeArgs& a) {
  if (!a.plots_dir.empty()) throw InputError("--plots is for sweep shards, not replay reports");
  std::vector<ReplayShardReport> reports;
  std::vector<ShardSpec> shards;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    reports.push_back(parse_replay_report(texts[i], a.files[i]));
    shards.push_back(reports.back().shard);
    const std::string diff = run_difference(reports.front().run, reports.back().run);
    if (!diff.empty()) {
      throw InputError(fmt::format("{} and {} are shards of different replays ({})",
                                   a.files.front(), a.files[i], diff));
    }
    check_replay_entries(reports.back(), a.files[i]);
  }
  check_shard_set(shards, a.files);
  const int total = reports.front().run.total;
  std::vector<const ReplayShardEntry*> by_index(static_cast<std::size_t>(total));
  for (const auto& r : reports) {
    for (const auto& e : r.entries) by_index[static_cast<std::size_t>(e.index)] = &e;
  }
  std::string text;
  int identical = 0;
  for (const auto* e : by_index) {
    text += e->text;
    identical += e->identical ? 1 : 0;
  }
  if (total > 1) text += replay_closing_line(identical, total, reports.front().run.backends);
  write_output(a.out_path, text);
  return replay_exit_status(by_index);
}

// The shards' rows in grid order, after checking that every point is there, once, from the
// shard that owns it.
std::vector<std::string> sweep_rows_in_grid_order(const std::vector<SweepShardFile>& shards,
                                                  const std::vector<std::string>& sources) {
  const std::size_t points = shards.front().points;
  std::vector<std::vector<std::string>> by_point(points);
  for (std::size_t s = 0; s < shards.size(); ++s) {
    for (const auto& [point, line] : shards[s].rows) {
      if (point >= points || !shards[s].shard.owns(point)) {
        throw InputError(fmt::format("{} (shard {}) holds grid point {}, which is not its own",
                                     sources[s], shards[s].shard.label(), point));
      }
      by_point[point].push_back(line);
    }
  }
  std::vector<std::string> rows;
  for (std::size_t p = 0; p < points; ++p) {
    if (by_point[p].empty()) {
      const int owner = static_cast<int>(p % static_cast<std::size_t>(shards.front().shard.count));
      throw InputError(fmt::format("grid point {} has no rows: shard {}/{} is truncated", p, owner,
                                   shards.front().shard.count));
    }
    rows.insert(rows.end(), by_point[p].begin(), by_point[p].end());
  }
  return rows;
}

int merge_sweep(const std::vector<std::string>& texts, const MergeArgs& a) {
  std::vector<SweepShardFile> files;
  std::vector<ShardSpec> shards;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    files.push_back(parse_sweep_shard(texts[i], a.files[i]));
    shards.push_back(files.back().shard);
    if (files.back().grid != files.front().grid || files.back().points != files.front().points) {
      throw InputError(fmt::format(
          "{} and {} are shards of different sweeps (grid {} of {} points vs grid {} of {})",
          a.files.front(), a.files[i], files.front().grid, files.front().points, files.back().grid,
          files.back().points));
    }
  }
  check_shard_set(shards, a.files);
  std::string csv = sim::sweep_csv_header() + "\n";
  for (const auto& line : sweep_rows_in_grid_order(files, a.files)) csv += line + "\n";
  write_output(a.out_path, csv);
  if (a.plots_dir.empty()) return 0;
  sim::SweepGrid grid = files.front().dims;
  // Plots pick rows by p; compare like with like: p as the CSV prints it.
  for (auto& p : grid.accept_probs) p = std::stod(fmt::format("{:.6g}", p));
  return write_sweep_plots(grid, parse_sweep_rows(csv), a.plots_dir, files.front().command) ? 0 : 2;
}

int execute(const MergeArgs& a) {
  std::vector<std::string> texts;
  for (const auto& f : a.files) texts.push_back(read_text_file(f));
  const bool replay = is_replay_report(texts.front());
  if (!replay && !is_sweep_shard(texts.front())) {
    throw InputError(a.files.front() +
                     " is neither a replay shard report (replay --report) nor a sweep shard "
                     "(sweep --shard)");
  }
  for (std::size_t i = 1; i < texts.size(); ++i) {
    if (is_replay_report(texts[i]) != replay) {
      throw InputError(fmt::format("{} is a {} but {} is not: merge one kind at a time",
                                   a.files.front(), replay ? "replay report" : "sweep shard",
                                   a.files[i]));
    }
  }
  return replay ? merge_replay(texts, a) : merge_sweep(texts, a);
}

}  // namespace

void add_merge_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge", "Join the shard outputs of `replay --shard` or `sweep --shard` into one result");
  cmd->footer(
      "Give every shard file of one run, 0/M .. M-1/M, in any order. Replay reports (replay\n"
      "--shard I/M --report FILE) merge into the single run's report and exit status (1 if any\n"
      "scenario diverged); sweep shards (sweep --shard I/M --out FILE) into the single run's CSV,\n"
      "byte for byte, and with --plots DIR its plots. A missing, duplicated or foreign shard is\n"
      "refused (exit 2). Sharding over many machines: docs/cli.md, Sharding.\n"
      "Example: lockstep merge shard-0.csv shard-1.csv shard-2.csv --out sweep.csv --plots plots/");
  cmd->add_option("SHARD", args->files, "Shard files (replay --report or sweep --shard output)")
      ->required();
  cmd->add_option("--out", args->out_path, "Merged report or CSV (default: stdout)");
  cmd->add_option("--plots", args->plots_dir,
                  "Sweep only: render the sweep's plots from the merged CSV into DIR");
  cmd->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
