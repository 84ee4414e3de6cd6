// `lockstep sweep`'s engine: runs the controller (symbolic backend, no checking, no trace)
// over a grid of strategies x batch sizes x k x oracle acceptance, and prices every run with
// one CostObserver per hardware/model-pair spec.
//
// Contract: deterministic. The same grid gives the same rows in the same order and the same
// CSV bytes whatever `jobs` is: rows carry only counts and predictions (no wall times), and
// workers write into preassigned slots. `ar` does not draft, so it runs once per (batch, p)
// and its rows have k = 0. `spec1` is batch 1 by definition; its rows keep the requested batch
// size as a grid coordinate. exspec's pool is window_factor x batch size.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/cost_observer.h"
#include "sim/scenario.h"

namespace lockstep::sim {

struct SweepGrid {
  std::vector<std::string> strategies;
  std::vector<int> batch_sizes;
  std::vector<int> ks;
  std::vector<double> accept_probs;  // oracle drafter: chance each proposal is the true token
  std::vector<std::string> costs;    // HW:PAIR[:PRECISION]
  std::vector<std::vector<Token>> prompts;
  std::string prompts_label;  // e.g. "specbench:480" or "synthetic:256", copied into rows
  int max_new_tokens = 128;
  int window_factor = 2;
  std::uint64_t seed = 31;  // drafter seed (which proposals are corrupted)
};

struct SweepPoint {
  std::string strategy;
  int batch_size = 0;
  int k = 0;
  double accept_prob = 0;
};

struct SweepRow {
  SweepPoint point;
  std::size_t grid_point = 0;  // index of `point` in sweep_points(grid)
  std::string cost;
  RealignMode mode = RealignMode::inplace;
  std::int64_t steps = 0, rounds = 0, generated_tokens = 0, forward_passes = 0;
  std::int64_t realign_slots = 0;
  double mean_tokens_per_step = 0;
  double realign_bytes = 0;
  StageSeconds predicted;
  double tokens_per_second = 0;         // generated / all predicted stages
  double decode_tokens_per_second = 0;  // generated / (all stages but prefill)
  double realign_share = 0;
};

// Synthetic prompts for sweeps without SpecBench data: lengths 16..143, byte-range tokens.
std::vector<std::vector<Token>> synthetic_prompts(int count);
// The first `count` SpecBench questions, byte tokens, cut to `max_tokens`.
std::vector<std::vector<Token>> specbench_prompts(const std::string& path, int count,
                                                  int max_tokens);

// Every controller run of the grid, in CSV order.
std::vector<SweepPoint> sweep_points(const SweepGrid& grid);

// Which grid points one run computes: point i when i mod count == index (sharded sweeps over
// several machines; `lockstep merge` joins the shards' rows back in grid order).
struct SweepShard {
  int index = 0;
  int count = 1;
};

// Throws InputError for an empty dimension, unknown strategy or bad cost spec (before any
// run; every point is validated, whatever the shard). `progress(done, total)` is called after
// every finished point from the caller's thread or a worker (never concurrently); total is the
// number of points of the shard. Rows come in grid order.
std::vector<SweepRow> run_sweep(const SweepGrid& grid, int jobs,
                                const std::function<void(int, int)>& progress = {},
                                SweepShard shard = {});

// A digest of everything that determines the rows (every dimension, the prompts, seeds), so
// that shards of different grids are told apart.
std::uint64_t sweep_grid_digest(const SweepGrid& grid);

std::string sweep_csv_header();
std::string sweep_csv(const SweepGrid& grid, const std::vector<SweepRow>& rows);
// One CSV line (no newline) of `row`, as sweep_csv writes it.
std::string sweep_csv_line(const SweepGrid& grid, const SweepRow& row);

}  // namespace lockstep::sim
