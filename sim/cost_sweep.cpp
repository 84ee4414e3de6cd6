// Grid runs for `lockstep sweep` (see the header's contract).
#include "sim/cost_sweep.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "sim/error.h"
#include "sim/faults.h"
#include "sim/hash.h"
#include "sim/runner.h"
#include "sim/strategy.h"
#include "sim/symbolic_backend.h"

namespace lockstep::sim {
namespace {

Scenario base_scenario(const SweepGrid& grid) {
  Scenario s;
  s.name = "sweep";
  s.backend = "symbolic";
  // The symbolic run only needs the shape of the work; the cost model prices it with the
  // pair's real dimensions (docs/cost-model.md).
  s.target = preset("tiny", 1);
  s.draft.kind = DrafterSpec::Kind::oracle;
  s.draft.seed = grid.seed;
  s.draft.model = preset("draft-tiny", 2);
  s.strategy = reference_strategy().name;  // each point sets its own
  s.batch_size = 1;
  s.k = 1;
  s.max_new_tokens = grid.max_new_tokens;
  s.window = 1;
  s.prompts = grid.prompts;
  return s;
}

Scenario point_scenario(const SweepGrid& grid, const SweepPoint& p) {
  Scenario s = base_scenario(grid);
  s.strategy = p.strategy;
  s.batch_size = p.batch_size;
  s.k = std::max(p.k, 1);  // ar ignores k; the loader requires k >= 1
  s.draft.accept_prob = p.accept_prob;
  s.window = std::max(1, grid.window_factor) * p.batch_size;
  return s;
}

std::string fmt_double(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::vector<SweepRow> run_point(const SweepGrid& grid, const SweepPoint& point,
                                const ReferenceContinuation& reference) {
  const Scenario scenario = point_scenario(grid, point);
  std::vector<CostObserver> observers;
  observers.reserve(grid.costs.size());
  for (const auto& c : grid.costs) observers.emplace_back(parse_cost_spec(c), scenario);
  RunOptions options;
  for (auto& o : observers) options.observers.push_back(&o);
  SymbolicBackend backend;
  RunResult result;
  result.sequences = make_sequences(scenario);
  run_scenario(backend, scenario, reference, result, options);
  const RunMetrics& m = result.metrics;
  const bool paper = has_paper_realignment(find_strategy(point.strategy));
  std::vector<SweepRow> rows;
  for (std::size_t i = 0; i < observers.size(); ++i) {
    const CostPrediction& p = observers[i].prediction();
    for (RealignMode mode : {RealignMode::inplace, RealignMode::paper}) {
      if (mode == RealignMode::paper && !paper) continue;
      SweepRow r;
      r.point = point;
      r.cost = observers[i].model().spec();
      r.mode = mode;
      r.steps = m.steps;
      r.rounds = m.rounds;
      r.generated_tokens = m.generated_tokens;
      r.forward_passes = m.forward_passes;
      r.realign_slots = p.realign_slots;
      r.mean_tokens_per_step = m.mean_tokens_per_step();
      r.realign_bytes = mode == RealignMode::inplace ? p.realign_bytes : p.paper_realign_bytes;
      r.predicted = p.stages(mode);
      r.tokens_per_second = p.tokens_per_second(m.generated_tokens, mode);
      const double decode = r.predicted.total() - r.predicted.prefill;
      r.decode_tokens_per_second =
          decode == 0 ? 0.0 : static_cast<double>(m.generated_tokens) / decode;
      r.realign_share = p.realign_share(mode);
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace

std::vector<std::vector<Token>> synthetic_prompts(int count) {
  std::vector<std::vector<Token>> out;
  std::uint64_t x = 0x5eed;
  for (int i = 0; i < count; ++i) {
    std::vector<Token> prompt(static_cast<std::size_t>(16 + (i * 37) % 128));
    for (auto& t : prompt) t = static_cast<Token>((x = mix64(x)) % 256);
    out.push_back(std::move(prompt));
  }
  return out;
}

std::vector<std::vector<Token>> specbench_prompts(const std::string& path, int count,
                                                  int max_tokens) {
  std::vector<std::vector<Token>> out;
  for (const auto& q : read_specbench_questions(path, 0, count)) {
    auto tokens = byte_tokenize(q);
    if (max_tokens > 0 && static_cast<int>(tokens.size()) > max_tokens)
      tokens.resize(static_cast<std::size_t>(max_tokens));
    if (tokens.empty()) tokens.push_back(0);
    out.push_back(std::move(tokens));
  }
  return out;
}

std::vector<SweepPoint> sweep_points(const SweepGrid& grid) {
  std::vector<SweepPoint> out;
  for (const auto& s : grid.strategies) {
    // An unknown name is reported by validate_scenario, with the field's name.
    const StrategyInfo* strategy = lookup_strategy(s);
    const bool drafts = strategy == nullptr || strategy->drafts;
    for (int b : grid.batch_sizes) {
      for (double p : grid.accept_probs) {
        if (!drafts) {
          out.push_back({s, b, 0, p});
          continue;
        }
        for (int k : grid.ks) out.push_back({s, b, k, p});
      }
    }
  }
  return out;
}

std::vector<SweepRow> run_sweep(const SweepGrid& grid, int jobs,
                                const std::function<void(int, int)>& progress, SweepShard shard) {
  if (shard.count < 1 || shard.index < 0 || shard.index >= shard.count)
    throw InputError("sweep: bad shard " + std::to_string(shard.index) + "/" +
                     std::to_string(shard.count));
  auto nonempty = [](bool ok, const char* what) {
    if (!ok) throw InputError(std::string("sweep: ") + what + " must not be empty");
  };
  nonempty(!grid.strategies.empty(), "strategies");
  nonempty(!grid.batch_sizes.empty(), "batch sizes");
  nonempty(!grid.ks.empty(), "k values");
  nonempty(!grid.accept_probs.empty(), "acceptance probabilities");
  nonempty(!grid.costs.empty(), "cost specs");
  nonempty(!grid.prompts.empty(), "prompts");
  for (const auto& c : grid.costs) parse_cost_spec(c);
  const std::vector<SweepPoint> all_points = sweep_points(grid);
  for (const auto& p : all_points) validate_scenario(point_scenario(grid, p));
  std::vector<std::size_t> points;  // grid indices of this shard's points
  for (std::size_t i = 0; i < all_points.size(); ++i) {
    if (static_cast<int>(i % static_cast<std::size_t>(shard.count)) == shard.index)
      points.push_back(i);
  }

  // One reference for every point: the target's greedy stream is the same whatever k is, so
  // the one computed for the largest k covers every shorter need.
  Scenario longest = base_scenario(grid);
  longest.k = *std::max_element(grid.ks.begin(), grid.ks.end());
  SymbolicBackend reference_backend;
  const ReferenceContinuation reference = compute_reference(reference_backend, longest);

  std::vector<std::vector<SweepRow>> slots(points.size());
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex;
  int done = 0;
  auto worker = [&] {
    for (std::size_t i = next++; i < points.size(); i = next++) {
      slots[i] = run_point(grid, all_points[points[i]], reference);
      for (auto& row : slots[i]) row.grid_point = points[i];
      std::lock_guard<std::mutex> lock(progress_mutex);
      ++done;
      if (progress) progress(done, static_cast<int>(points.size()));
    }
  };
  const int threads = std::clamp(jobs, 1, std::max(1, static_cast<int>(points.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  std::vector<SweepRow> rows;
  for (auto& s : slots) rows.insert(rows.end(), s.begin(), s.end());
  return rows;
}

std::string sweep_csv_header() {
  return "strategy,batch_size,k,accept_prob,prompts,cost,realign_mode,steps,rounds,"
         "generated_tokens,mean_tokens_per_step,forward_passes,realign_slots,realign_bytes,"
         "pred_draft_s,pred_verify_s,pred_realign_s,pred_prefill_s,pred_other_s,pred_total_s,"
         "pred_tokens_per_s,pred_decode_tokens_per_s,realign_share";
}

std::uint64_t sweep_grid_digest(const SweepGrid& grid) {
  Fnv1a h;
  auto add = [&h](const std::string& field) {
    h.update(field);
    h.update(std::string_view("\0", 1));
  };
  for (const auto& s : grid.strategies) add("strategy " + s);
  for (int b : grid.batch_sizes) add("batch " + std::to_string(b));
  for (int k : grid.ks) add("k " + std::to_string(k));
  for (double p : grid.accept_probs) add("p " + fmt_double(p));
  for (const auto& c : grid.costs) add("cost " + c);
  for (const auto& prompt : grid.prompts) {
    std::string tokens = "prompt";
    for (Token t : prompt) tokens += " " + std::to_string(t);
    add(tokens);
  }
  add(grid.prompts_label);
  add(std::to_string(grid.max_new_tokens) + " " + std::to_string(grid.window_factor) + " " +
      std::to_string(grid.seed));
  return h.value();
}

std::string sweep_csv(const SweepGrid& grid, const std::vector<SweepRow>& rows) {
  std::string out = sweep_csv_header() + "\n";
  for (const auto& r : rows) out += sweep_csv_line(grid, r) + "\n";
  return out;
}

std::string sweep_csv_line(const SweepGrid& grid, const SweepRow& r) {
  const std::vector<std::string> fields = {
      r.point.strategy,
      std::to_string(r.point.batch_size),
      std::to_string(r.point.k),
      fmt_double(r.point.accept_prob),
      grid.prompts_label,
      r.cost,
      realign_mode_name(r.mode),
      std::to_string(r.steps),
      std::to_string(r.rounds),
      std::to_string(r.generated_tokens),
      fmt_double(r.mean_tokens_per_step),
      std::to_string(r.forward_passes),
      std::to_string(r.realign_slots),
      fmt_double(r.realign_bytes),
      fmt_double(r.predicted.draft),
      fmt_double(r.predicted.verify),
      fmt_double(r.predicted.realign),
      fmt_double(r.predicted.prefill),
      fmt_double(r.predicted.other),
      fmt_double(r.predicted.total()),
      fmt_double(r.tokens_per_second),
      fmt_double(r.decode_tokens_per_second),
      fmt_double(r.realign_share),
  };
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out;
}

}  // namespace lockstep::sim
