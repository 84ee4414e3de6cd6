#include "verify/bench.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <tuple>

#include <fmt/core.h>

#include "sim/cost_calibrate.h"
#include "sim/error.h"
#include "sim/runner.h"
#include "verify/checker.h"

namespace lockstep::verify {
namespace {

using Clock = std::chrono::steady_clock;
using ShapeKey = std::tuple<int, std::int64_t, std::int64_t, std::int64_t>;  // role, rows, T, kv

std::string point_name(const sim::Scenario& s) {
  return fmt::format("{} batch {} k {}", s.strategy, s.batch_size, s.k);
}

sim::Scenario point_scenario(const sim::Scenario& base, const std::string& strategy, int batch,
                             int k) {
  sim::Scenario s = base;
  s.strategy = strategy;
  s.batch_size = batch;
  s.k = k;
  s.window = std::max(s.window, batch);
  try {
    sim::validate_scenario(s);
  } catch (const InputError& e) {
    throw InputError("bench point " + point_name(s) + ": " + e.what());
  }
  return s;
}

// Refuses the bench unless every output of `result` equals batch-1 AR's. Under float
// numerics an output may differ by numerics alone (the invariants, checked in the untimed
// run, tell it from a bug), so there only the invariants refuse a point; so under rejection
// sampling, whose outputs differ from sampled AR by design (I5 recomputes each commit).
void require_equivalent(const sim::Scenario& s, const sim::RunResult& result,
                        const std::vector<std::vector<sim::Token>>& oracle, const char* run) {
  if (sim::is_float(s.target.numerics) || EquivalenceRule::of(s).rejection) return;
  const auto outputs = result.outputs();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    if (outputs[i] != oracle[i])
      throw BenchRefused(fmt::format("{}: sequence {} differs from batch-1 AR in the {} run",
                                     point_name(s), i, run));
  }
}

// The untimed run that proves the point exact: invariants every step, outputs vs the oracle.
void checked_run(const sim::Scenario& s, const sim::ReferenceContinuation& reference,
                 const std::vector<std::vector<sim::Token>>& oracle) {
  auto backend = sim::make_backend(s.backend);
  sim::RunResult result;
  result.sequences = sim::make_sequences(s);
  InvariantChecker checker(result.sequences, oracle, *backend, EquivalenceRule::of(s));
  sim::RunOptions options;
  options.observers.push_back(&checker);
  sim::run_scenario(*backend, s, reference, result, options);
  checker.finish();
  if (checker.violation_count() > 0) {
    const auto& v = checker.violations().front();
    throw BenchRefused(fmt::format("{}: {} invariant violation(s), first {} at step {} row {}: {}",
                                   point_name(s), checker.violation_count(), v.invariant, v.step,
                                   v.row, v.detail));
  }
  require_equivalent(s, result, oracle, "checked");
}

struct TimedRun {
  sim::RunMetrics metrics;
  double seconds = 0;
  std::vector<sim::PassTiming> passes;
};

TimedRun timed_run(const sim::Scenario& s, const sim::ReferenceContinuation& reference,
                   const std::vector<std::vector<sim::Token>>& oracle) {
  sim::TimedBackend backend(sim::make_backend(s.backend));
  sim::RunResult result;
  result.sequences = sim::make_sequences(s);
  sim::RunOptions options;
  options.observers.push_back(&backend);
  const auto start = Clock::now();
  sim::run_scenario(backend, s, reference, result, options);
  TimedRun run{result.metrics, std::chrono::duration<double>(Clock::now() - start).count(),
               backend.passes()};
  require_equivalent(s, result, oracle, "timed");
  return run;
}

BenchPoint summarize(const sim::Scenario& s, const std::vector<TimedRun>& runs) {
  BenchPoint p;
  p.strategy = s.strategy;
  p.batch_size = s.batch_size;
  p.k = s.k;
  p.window = s.window;
  p.sequences = static_cast<int>(s.prompts.size());
  const auto& m = runs.front().metrics;  // counts are identical in every repeat
  p.steps = m.steps;
  p.generated_tokens = m.generated_tokens;
  p.tokens_per_step = m.mean_tokens_per_step();
  std::vector<double> tps, secs, draft, verify, realign, prefill, other;
  for (const auto& r : runs) {
    tps.push_back(static_cast<double>(r.metrics.generated_tokens) / r.seconds);
    secs.push_back(r.seconds);
    draft.push_back(r.metrics.seconds.draft);
    verify.push_back(r.metrics.seconds.verify);
    realign.push_back(r.metrics.seconds.realign);
    prefill.push_back(r.metrics.seconds.prefill);
    other.push_back(r.metrics.seconds.other);
  }
  p.tokens_per_second = spread_of(tps);
  p.run_seconds = spread_of(secs);
  p.stage_median = {spread_of(draft).median, spread_of(verify).median, spread_of(realign).median,
                    spread_of(prefill).median, spread_of(other).median};
  return p;
}

std::vector<BenchPassShape> pass_shapes(const std::map<ShapeKey, std::vector<double>>& samples) {
  std::vector<BenchPassShape> out;
  for (const auto& [key, seconds] : samples) {
    const auto& [role, rows, tokens, kv] = key;
    out.push_back({.role = static_cast<sim::ModelRole>(role),
                   .rows = rows,
                   .tokens = tokens,
                   .kv = kv,
                   .samples = static_cast<int>(seconds.size()),
                   .median_seconds = spread_of(seconds).median});
  }
  return out;
}

}  // namespace

Spread spread_of(std::vector<double> values) {
  if (values.empty()) return {};
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  const double median = n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
  return {median, values.front(), values.back()};
}

BenchResult run_bench(const sim::Scenario& base, const BenchGrid& grid,
                      const BenchProgress& progress) {
  if (grid.repeats < 1) throw InputError("bench: --repeats must be at least 1");
  if (grid.warmup < 0) throw InputError("bench: --warmup must be at least 0");
  const int per_point = 1 + grid.warmup + grid.repeats;
  const int total = per_point * static_cast<int>(grid.strategies.size() * grid.batch_sizes.size() *
                                                 grid.ks.size());
  BenchResult result;
  result.backend = base.backend;
  std::map<int, sim::ReferenceContinuation> references;  // by k: the oracle's continuation
  std::map<ShapeKey, std::vector<double>> samples;
  int done = 0;
  for (const auto& strategy : grid.strategies) {
    for (const int batch : grid.batch_sizes) {
      for (const int k : grid.ks) {
        const auto s = point_scenario(base, strategy, batch, k);
        if (!references.count(k)) {
          if (progress) progress(done, total, fmt::format("batch-1 AR reference, k {}", k));
          references[k] = sim::compute_reference(*sim::make_backend(s.backend), s);
        }
        const auto oracle = sim::oracle_outputs(references[k], s);
        if (progress) progress(done++, total, point_name(s) + ", checked run");
        checked_run(s, references[k], oracle);
        std::vector<TimedRun> runs;
        for (int i = 0; i < grid.warmup + grid.repeats; ++i) {
          const bool timed = i >= grid.warmup;
          if (progress)
            progress(done++, total, point_name(s) + (timed ? ", timed run" : ", warm-up"));
          auto run = timed_run(s, references[k], oracle);
          if (!timed) continue;
          for (const auto& pass : run.passes)
            samples[{static_cast<int>(pass.role), pass.rows, pass.tokens, pass.kv}].push_back(
                pass.seconds);
          runs.push_back(std::move(run));
        }
        result.points.push_back(summarize(s, runs));
      }
    }
  }
  if (progress) progress(done, total, "done");
  result.passes = pass_shapes(samples);
  return result;
}

std::string bench_csv(const BenchResult& result) {
  std::ostringstream out;
  out << "backend,strategy,batch_size,k,window,sequences,steps,generated_tokens,tokens_per_step,"
         "tokens_per_second_median,tokens_per_second_min,tokens_per_second_max,"
         "run_seconds_median,draft_seconds,verify_seconds,realign_seconds,prefill_seconds,"
         "other_seconds\n";
  for (const auto& p : result.points) {
    const auto& st = p.stage_median;
    out << fmt::format(
        "{},{},{},{},{},{},{},{},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g},"
        "{:.6g},{:.6g},{:.6g}\n",
        result.backend, p.strategy, p.batch_size, p.k, p.window, p.sequences, p.steps,
        p.generated_tokens, p.tokens_per_step, p.tokens_per_second.median, p.tokens_per_second.min,
        p.tokens_per_second.max, p.run_seconds.median, st.draft, st.verify, st.realign, st.prefill,
        st.other);
  }
  return out.str();
}

std::string bench_passes_csv(const BenchResult& result, const std::string& cost) {
  std::ostringstream out;
  out << sim::calibration_csv_header() << "\n";
  for (const auto& p : result.passes) {
    out << fmt::format("{},{},{},{},{},{:.9g}\n", cost, sim::role_name(p.role), p.rows, p.tokens,
                       p.kv, p.median_seconds);
  }
  return out.str();
}

}  // namespace lockstep::verify
