// `lockstep bench`: measured speed over a grid of strategies x batch sizes x k, on any backend.
//
// Contract: every grid point first runs once *checked* (invariants I1-I5 at every step, every
// output compared with batch-1 AR) and untimed; then `warmup` untimed runs; then `repeats`
// timed runs, each of whose outputs is compared with batch-1 AR again. A point whose runs are
// not 100% equivalent, or whose checked run breaks an invariant, makes the whole bench fail
// with BenchRefused: a speed figure for a wrong result is never reported.
//
// Timed runs carry no checker and no trace, only the TimedBackend decorator (sim/
// timed_backend.h), so the figures are the controller's and the backend's own cost.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/metrics.h"
#include "sim/scenario.h"
#include "sim/timed_backend.h"

namespace lockstep::verify {

struct BenchGrid {
  std::vector<std::string> strategies;
  std::vector<int> batch_sizes;
  std::vector<int> ks;
  int warmup = 1;
  int repeats = 3;
};

// A measured quantity over the timed repeats.
struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
};

struct BenchPoint {
  std::string strategy;
  int batch_size = 0;
  int k = 0;
  int window = 0;  // exspec's pool: the scenario's, raised to the batch size where smaller
  int sequences = 0;
  std::int64_t steps = 0;
  std::int64_t generated_tokens = 0;
  double tokens_per_step = 0;  // per sequence-round, bonus included (sim/metrics.h)
  Spread tokens_per_second;
  Spread run_seconds;
  sim::StageSeconds stage_median;  // each stage's median over the repeats
};

// One pass shape of the timed repeats, its median time (the calibration CSV's rows).
struct BenchPassShape {
  sim::ModelRole role = sim::ModelRole::target;
  std::int64_t rows = 0;
  std::int64_t tokens = 0;
  std::int64_t kv = 0;
  int samples = 0;
  double median_seconds = 0;
};

struct BenchResult {
  std::string backend;
  std::vector<BenchPoint> points;
  std::vector<BenchPassShape> passes;  // every shape timed, all points together, sorted
};

class BenchRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Called before each run: runs done so far, runs in all, and what is about to run.
using BenchProgress = std::function<void(int done, int total, const std::string& what)>;

// `base` is a finalized scenario (prompts resolved); its strategy, batch size and k are
// replaced by each grid point's. Throws InputError for a grid value the scenario rejects
// (naming the point), BenchRefused for a run that is not exact.
BenchResult run_bench(const sim::Scenario& base, const BenchGrid& grid,
                      const BenchProgress& progress);

// The grid's table: one line per point (header first), fixed column order.
std::string bench_csv(const BenchResult& result);
// The timed pass shapes in exactly the format `lockstep calibrate` reads
// (sim/cost_calibrate.h), every row under the cost spec `cost` (HW:PAIR[:PRECISION]).
std::string bench_passes_csv(const BenchResult& result, const std::string& cost);

Spread spread_of(std::vector<double> values);

}  // namespace lockstep::verify
