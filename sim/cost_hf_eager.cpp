// The hf-eager profile's terms; every count and constant is listed with its source in
// docs/cost-model.md ("The hf-eager profile"), in the order they appear here.
#include "sim/cost_hf_eager.h"

#include <algorithm>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

HfEagerConstants make_constants() {
  HfEagerConstants c;
  // FIT: the one constant set from the paper's profile (its batch-4 verify stage, 24.9 ms per
  // step, host-bound); hf_eager_fit_call_seconds recomputes it and a test checks the two agree.
  c.call_seconds = 13.1e-6;
  // Published: pytorch/pytorch PR #119202, ".item() Benchmark, 1 thread 50k iterations":
  // 1.65-1.69 s without pinned memory, i.e. 33.4 us per call.
  c.sync_seconds = 33.4e-6;
  // transformers LlamaDecoderLayer, counted call by call (docs/cost-model.md): two RMSNorms
  // of 8 calls, q/k/v projections and their view+transpose (9), rotary embedding of q and k
  // (16), the DynamicCache update's two torch.cat, attention (6), output projection and
  // residual (2), SwiGLU MLP (5) and residual (1).
  c.calls_per_layer = 56;
  // Per pass: embedding, rotary cos/sin tables (8), mask preparation (10), final norm (8),
  // LM head.
  c.calls_per_pass = 28;
  c.verify_calls_per_layer = 2;
  c.verify_calls_per_step = 15;
  c.verify_calls_per_row = 1;
  c.generate_calls_per_token = 26;
  c.generate_syncs_per_token = 1;
  c.draft_calls_per_step = 6;
  c.draft_calls_per_row = 2;
  c.draft_syncs_per_row = 1;
  c.realign_calls_per_step = 22;
  c.realign_syncs_per_step = 3;
  c.realign_calls_per_row = 8;
  c.realign_syncs_per_row = 4;
  c.realign_calls_per_layer = 4;
  c.realign_calls_per_row_layer = 4;
  c.realign_syncs_per_row_layer = 4;
  return c;
}

std::int64_t model_calls(const HfEagerConstants& c, const ModelDims& m) {
  return static_cast<std::int64_t>(m.n_layers) * c.calls_per_layer + c.calls_per_pass;
}

std::int64_t verify_calls(const HfEagerConstants& c, const ModelDims& m, int batch_rows) {
  return model_calls(c, m) + static_cast<std::int64_t>(m.n_layers) * c.verify_calls_per_layer +
         c.verify_calls_per_step + static_cast<std::int64_t>(c.verify_calls_per_row) * batch_rows;
}

double host_seconds(std::int64_t calls, std::int64_t syncs) {
  const HfEagerConstants& c = hf_eager_constants();
  return static_cast<double>(calls) * c.call_seconds + static_cast<double>(syncs) * c.sync_seconds;
}

double bandwidth(const CostModel& model) {
  return model.hardware().bandwidth * model.constants().bandwidth_fraction;
}

// Device side of a pass: the roofline without its launch term (eager launches are host calls
// here), plus DynamicCache growth by torch.cat: each layer reads the old K and V and writes
// them again with the new tokens appended.
double device_seconds(const CostModel& model, bool target, const std::vector<RowWork>& rows) {
  const PassCost c = model.pass(target, rows);
  double concat_slots = 0;
  for (const auto& r : rows) concat_slots += static_cast<double>(2 * r.kv_read - r.tokens);
  return std::max(c.memory_seconds, c.compute_seconds) +
         concat_slots * model.kv_bytes_per_slot(target) / bandwidth(model);
}

// generate() keeps no draft cache across steps: its first pass re-feeds every row's context.
std::vector<RowWork> whole_context(const std::vector<RowWork>& rows) {
  std::vector<RowWork> out;
  for (const auto& r : rows) out.push_back({r.kv_read, r.kv_read, r.kv_read * (r.kv_read + 1) / 2});
  return out;
}

HfEagerCost combine(double host, double device) {
  return {host, device, std::max(host, device)};
}

}  // namespace

const HfEagerConstants& hf_eager_constants() {
  static const HfEagerConstants constants = make_constants();
  return constants;
}

double hf_eager_fit_call_seconds(const ModelDims& target, int rows, double seconds) {
  require(rows > 0 && seconds > 0, "hf_eager_fit_call_seconds: rows and seconds must be > 0");
  return seconds / static_cast<double>(verify_calls(hf_eager_constants(), target, rows));
}

HfEagerCost hf_eager_pass(const CostModel& model, HfPass kind, const std::vector<RowWork>& rows,
                          int batch_rows) {
  require(batch_rows >= 0, "hf_eager_pass: batch_rows must be >= 0");
  const HfEagerConstants& c = hf_eager_constants();
  const bool target = kind == HfPass::prefill_target || kind == HfPass::verify;
  const ModelDims& m = model.dims(target);
  switch (kind) {
    case HfPass::prefill_draft:
      return {};
    case HfPass::prefill_target:
      return combine(host_seconds(model_calls(c, m), 0), device_seconds(model, true, rows));
    case HfPass::verify:
      return combine(host_seconds(verify_calls(c, m, batch_rows), 0),
                     device_seconds(model, true, rows));
    case HfPass::draft_first:
      return combine(
          host_seconds(model_calls(c, m) + c.generate_calls_per_token + c.draft_calls_per_step +
                           static_cast<std::int64_t>(c.draft_calls_per_row) * batch_rows,
                       c.generate_syncs_per_token +
                           static_cast<std::int64_t>(c.draft_syncs_per_row) * batch_rows),
          device_seconds(model, false, whole_context(rows)));
    case HfPass::draft_next:
      return combine(
          host_seconds(model_calls(c, m) + c.generate_calls_per_token, c.generate_syncs_per_token),
          device_seconds(model, false, rows));
  }
  return {};
}

HfEagerCost hf_eager_realign(const CostModel& model, int batch_rows, std::int64_t width,
                             std::int64_t live_slots) {
  require(batch_rows >= 0 && width >= 0 && live_slots >= 0,
          "hf_eager_realign: counts must be >= 0");
  if (batch_rows == 0) return {};
  const HfEagerConstants& c = hf_eager_constants();
  const std::int64_t rows = batch_rows;
  const std::int64_t layers = model.dims(true).n_layers;
  const std::int64_t calls =
      c.realign_calls_per_step + rows * c.realign_calls_per_row +
      layers * (c.realign_calls_per_layer + rows * c.realign_calls_per_row_layer);
  const std::int64_t syncs = c.realign_syncs_per_step + rows * c.realign_syncs_per_row +
                             layers * rows * c.realign_syncs_per_row_layer;
  const double slot = model.kv_bytes_per_slot(true);
  const double device =
      (static_cast<double>(rows * width) + 2.0 * static_cast<double>(live_slots)) * slot /
      bandwidth(model);
  // Every .item() waits for the copies queued before it, so host and device add up here.
  const double host = host_seconds(calls, syncs);
  return {host, device, host + device};
}

HfEagerCost hf_eager_move_plan(const CostModel& model, bool target, std::int64_t slots) {
  if (slots <= 0) return {};
  const double bytes = static_cast<double>(slots) * model.kv_bytes_per_slot(target);
  return combine(host_seconds(1, 0), 2.0 * bytes / bandwidth(model));
}

double HfEagerPricer::pass(bool target, bool prefill, const std::vector<RowWork>& rows) {
  if (prefill) {
    return hf_eager_pass(model_, target ? HfPass::prefill_target : HfPass::prefill_draft, rows,
                         static_cast<int>(rows.size()))
        .seconds;
  }
  const int live = static_cast<int>(rows.size());
  if (live > live_rows_) batch_rows_ = live;
  live_rows_ = live;
  HfPass kind = HfPass::verify;
  if (!target) kind = draft_passes_in_step_++ == 0 ? HfPass::draft_first : HfPass::draft_next;
  return hf_eager_pass(model_, kind, rows, batch_rows_).seconds;
}

}  // namespace lockstep::sim
