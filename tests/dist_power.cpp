// The power of `lockstep verify-dist` (docs/invariants.md "Checking the distribution"): how
// often the distribution check rejects a sampler that moves BIAS of the total mass from each
// position's most likely token to its second (tests/biased_sampler.h), per number of seeds,
// over REPEATS independent seed ranges; BIAS 0 is a correct sampler (the false-alarm rate).
// Runs the check exactly as the command does (verify::check_distribution with the exact
// distribution of cli::TargetDistribution); only the outputs come from the biased sampler.
//   dist_power [SCENARIO] [--bias LIST] [--seeds LIST] [--repeats R] [--positions P]
//              [--alpha A] [--min-detected F]
// Prints one line per (bias, seeds): detected/repeats. With --min-detected, exits 1 when a
// bias > 0 is detected in fewer than F of the repeats (a smoke test of the documented figure).
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "cli/target_distribution.h"
#include "reference/cpu_backend.h"
#include "resolve/model_scenario.h"
#include "sim/scenario.h"
#include "tests/biased_sampler.h"
#include "verify/dist_check.h"

namespace {

struct PowerArgs {
  std::string scenario = "scenarios/sampled_coupled.json";
  std::vector<double> biases{0.0, 0.02, 0.05, 0.1};
  std::vector<int> seeds{250, 500, 1000, 2000};
  int repeats = 20;
  int positions = 4;
  double alpha = 1e-3;
  double min_detected = -1;
};

// How many of `repeats` disjoint seed ranges of `seeds` runs the check rejects.
int detected(const lockstep::sim::Scenario& s, lockstep::cli::TargetDistribution& target,
             const PowerArgs& a, double bias, int seeds) {
  const lockstep::verify::DistributionOf exact = [&](int seq, const auto& prefix) {
    return target.at(seq, prefix);
  };
  int hits = 0;
  for (int r = 0; r < a.repeats; ++r) {
    const std::uint64_t first = 1'000'000ULL * static_cast<std::uint64_t>(r + 1);
    const auto outputs = lockstep::test::biased_runs(s, first, seeds, a.positions, exact, bias);
    const auto check = lockstep::verify::check_distribution(
        outputs, {.positions = a.positions, .min_group = 25, .alpha = a.alpha}, exact);
    hits += check.rejections() > 0 ? 1 : 0;
  }
  return hits;
}

}  // namespace

int main(int argc, char** argv) {
  PowerArgs a;
  CLI::App app{"The power of lockstep verify-dist against a sampler of known bias", "dist_power"};
  app.add_option("SCENARIO", a.scenario, "A sampled scenario (default sampled_coupled.json)");
  app.add_option("--bias", a.biases, "Fractions of mass moved (0: a correct sampler)")
      ->delimiter(',');
  app.add_option("--seeds", a.seeds, "Runs per check")->delimiter(',');
  app.add_option("--repeats", a.repeats, "Independent checks per point");
  app.add_option("--positions", a.positions, "Positions tested per sequence");
  app.add_option("--alpha", a.alpha, "The check's family alpha");
  app.add_option("--min-detected", a.min_detected, "Exit 1 below this detection rate (bias > 0)");
  CLI11_PARSE(app, argc, argv);
  try {
    lockstep::reference::register_cpu_backend();
    lockstep::sim::Scenario s = lockstep::sim::load_scenario_file(a.scenario);
    lockstep::resolve::finalize_scenario(s, "");
    lockstep::cli::TargetDistribution target(s, a.positions - 1);
    bool enough = true;
    fmt::print("{}: {} positions, alpha {}, {} repeats\nbias   seeds  detected\n", s.name,
               a.positions, a.alpha, a.repeats);
    for (double bias : a.biases) {
      for (int seeds : a.seeds) {
        const int hits = detected(s, target, a, bias, seeds);
        fmt::print("{:<6} {:<6} {}/{}\n", bias, seeds, hits, a.repeats);
        enough &= bias == 0.0 || hits >= a.min_detected * a.repeats;
      }
    }
    return enough ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "dist_power: " << e.what() << "\n";
    return 2;
  }
}
