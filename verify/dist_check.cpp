#include "verify/dist_check.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include <fmt/core.h>

#include "sim/backend.h"
#include "sim/error.h"
#include "sim/runner.h"

namespace lockstep::verify {
namespace {

// One sequence's groups at one position: next-token counts per output prefix.
using Groups = std::map<std::vector<sim::Token>, TokenCounts>;

Groups groups_at(const RunOutputs& outputs, int sequence, int position) {
  Groups groups;
  const auto prefix_length = static_cast<std::size_t>(position - 1);
  for (const auto& run : outputs) {
    const auto& tokens = run[static_cast<std::size_t>(sequence)];
    if (tokens.size() <= prefix_length) continue;  // ended before position t
    std::vector<sim::Token> prefix(tokens.begin(),
                                   tokens.begin() + static_cast<std::ptrdiff_t>(prefix_length));
    ++groups[std::move(prefix)][tokens[prefix_length]];
  }
  return groups;
}

void check_options(const DistCheckOptions& o) {
  if (o.positions < 1) throw InputError(fmt::format("positions must be >= 1, got {}", o.positions));
  if (o.min_group < 1) throw InputError(fmt::format("min_group must be >= 1, got {}", o.min_group));
  if (!(o.alpha > 0.0 && o.alpha < 1.0))
    throw InputError(fmt::format("alpha must be in (0, 1), got {}", o.alpha));
}

std::int64_t runs_in(const TokenCounts& counts) {
  std::int64_t n = 0;
  for (const auto& [token, count] : counts) n += count;
  return n;
}

}  // namespace

int DistCheck::rejections() const {
  return static_cast<int>(
      std::count_if(tests.begin(), tests.end(), [](const DistTestRow& r) { return r.rejected(); }));
}

RunOutputs sampled_outputs(const sim::Scenario& scenario, std::uint64_t first_seed, int count,
                           int keep, const DistProgress& progress) {
  if (scenario.sampling.greedy())
    throw InputError("the distribution check needs sampling: temperature > 0");
  if (count < 1) throw InputError(fmt::format("the seed count must be >= 1, got {}", count));
  if (keep < 1) throw InputError(fmt::format("the kept output length must be >= 1, got {}", keep));
  if (first_seed >
      std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(count - 1))
    throw InputError(fmt::format("sampling seeds {} + {} runs pass 2^64 - 1", first_seed, count));
  sim::validate_scenario(scenario);
  RunOutputs outputs;
  outputs.reserve(static_cast<std::size_t>(count));
  sim::Scenario s = scenario;
  for (int i = 0; i < count; ++i) {
    s.sampling.seed = first_seed + static_cast<std::uint64_t>(i);
    // Fresh backends, as lockstep run has them: the oracle never shares caches with the run.
    const sim::ReferenceContinuation reference =
        sim::compute_reference(*sim::make_backend(s.backend), s);
    auto backend = sim::make_backend(s.backend);
    sim::RunResult result;
    result.sequences = sim::make_sequences(s);
    sim::run_scenario(*backend, s, reference, result, sim::RunOptions{});
    auto& kept = outputs.emplace_back(result.outputs());
    for (auto& tokens : kept)
      tokens.resize(std::min(tokens.size(), static_cast<std::size_t>(keep)));
    if (progress) progress(i + 1, count);
  }
  return outputs;
}

DistCheck check_distribution(const RunOutputs& outputs, const DistCheckOptions& options,
                             const DistributionOf& distribution_of, const DistProgress& progress) {
  check_options(options);
  require(!outputs.empty(), "check_distribution: no runs");
  const std::size_t sequences = outputs.front().size();
  require(std::all_of(outputs.begin(), outputs.end(),
                      [&](const auto& run) { return run.size() == sequences; }),
          "check_distribution: every run must have the same sequences");
  DistCheck check;
  check.runs = static_cast<std::int64_t>(outputs.size());
  check.cells = static_cast<int>(sequences) * options.positions;
  // Group first, so progress knows how many distributions it will ask for.
  std::vector<std::pair<int, Groups>> cells;  // (position, groups) per sequence and position
  std::int64_t to_ask = 0;
  for (std::size_t seq = 0; seq < sequences; ++seq) {
    for (int t = 1; t <= options.positions; ++t) {
      Groups& g = cells.emplace_back(t, groups_at(outputs, static_cast<int>(seq), t)).second;
      for (const auto& [prefix, counts] : g) to_ask += runs_in(counts) >= options.min_group ? 1 : 0;
    }
  }
  std::int64_t asked = 0;
  for (std::size_t c = 0; c < cells.size(); ++c) {
    const int seq = static_cast<int>(c / static_cast<std::size_t>(options.positions));
    for (const auto& [prefix, counts] : cells[c].second) {
      const std::int64_t n = runs_in(counts);
      if (n < options.min_group) {
        ++check.small_groups;
        continue;
      }
      DistTestRow row{.sequence = seq,
                      .position = cells[c].first,
                      .prefix = prefix,
                      .test = g_test(counts, distribution_of(seq, prefix)),
                      .level = group_level(options.alpha, n, check.runs, check.cells)};
      if (progress) progress(++asked, to_ask);
      if (!row.test.testable()) {
        ++check.untestable_groups;
        continue;
      }
      check.tests.push_back(std::move(row));
    }
  }
  return check;
}

}  // namespace lockstep::verify
