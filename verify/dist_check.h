// The distribution check of `lockstep verify-dist` (issue 14 item 3, docs/invariants.md
// "Checking the distribution"): run a sampled scenario once per sampling seed, group the runs
// of each sequence and output position t by their output prefix x_1..x_{t-1}, and G-test
// each large enough group's next tokens against the exact target distribution
// p(. | prompt, prefix), each test at its share of the run's alpha (verify/dist_test.h).
//
// Why grouping by prefix makes the test exact: whatever the acceptance rule, a correct
// sampler's output token t, given the prompt and x_1..x_{t-1}, is distributed as the target's
// p(. | prompt, x_1..x_{t-1}), independently across seeds; a biased rule moves mass.
// Not here: where p comes from (a batch-1 forward on the backend: the caller's DistributionOf),
// printing, files. The runs check no invariant (`lockstep run` does that).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "numerics/sampling.h"
#include "sim/scenario.h"
#include "verify/dist_test.h"

namespace lockstep::verify {

// outputs[run][sequence]: the tokens a run generated for that sequence (at most the kept count).
using RunOutputs = std::vector<std::vector<std::vector<sim::Token>>>;

// Called after each unit of work: (done, total).
using DistProgress = std::function<void(std::int64_t, std::int64_t)>;

// Runs `scenario` (finalized, sampled) `count` times with sampling seeds first_seed,
// first_seed + 1, ...: each run computes its own batch-1 AR reference (the oracle drafter's
// truth) and runs the scenario's strategy and batch on a fresh backend. Keeps each sequence's
// first `keep` output tokens. Throws InputError for a greedy scenario, count < 1, keep < 1 or a
// seed range past 2^64 - 1.
RunOutputs sampled_outputs(const sim::Scenario& scenario, std::uint64_t first_seed, int count,
                           int keep, const DistProgress& progress = {});

struct DistCheckOptions {
  int positions = 4;            // output positions t = 1..positions
  std::int64_t min_group = 25;  // groups with fewer runs are not tested
  double alpha = 1e-3;          // the whole run's false-alarm rate bound
};

struct DistTestRow {
  int sequence = 0;
  int position = 0;                // t, from 1
  std::vector<sim::Token> prefix;  // x_1..x_{t-1}
  GTest test;
  double level = 0;  // this test's significance level (group_level)
  bool rejected() const { return test.p_value <= level; }
};

struct DistCheck {
  std::int64_t runs = 0;
  int cells = 0;                       // sequences x positions: alpha's first split (group_level)
  std::vector<DistTestRow> tests;      // the testable groups, by sequence, position, prefix
  std::int64_t small_groups = 0;       // groups under min_group runs (not tested)
  std::int64_t untestable_groups = 0;  // one bin after pooling (dof 0)
  int rejections() const;
};

// The exact target distribution after `prefix` (the sequence's output so far) of `sequence`.
using DistributionOf =
    std::function<numerics::SampleDistribution(int, const std::vector<sim::Token>&)>;

// Groups `outputs` (every run has the same number of sequences) and tests every group of at
// least min_group runs; `progress` counts the groups whose distribution was asked for.
// Throws InputError for positions < 1, min_group < 1 or alpha outside (0, 1), ContractError
// for ragged `outputs`.
DistCheck check_distribution(const RunOutputs& outputs, const DistCheckOptions& options,
                             const DistributionOf& distribution_of,
                             const DistProgress& progress = {});

}  // namespace lockstep::verify
