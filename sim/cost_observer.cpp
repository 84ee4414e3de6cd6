// Turns the controller's passes and move plans into CostModel calls (docs/cost-model.md,
// "What a run is charged").
#include "sim/cost_observer.h"

#include "sim/faults.h"
#include "sim/strategy.h"

namespace lockstep::sim {

const char* realign_mode_name(RealignMode mode) {
  return mode == RealignMode::inplace ? "inplace" : "paper";
}

StageSeconds CostPrediction::stages(RealignMode mode) const {
  StageSeconds s = seconds;
  if (mode == RealignMode::paper) s.realign = paper_realign_seconds;
  return s;
}

double CostPrediction::realign_share(RealignMode mode) const {
  const StageSeconds s = stages(mode);
  return s.total() == 0 ? 0.0 : s.realign / s.total();
}

double CostPrediction::tokens_per_second(std::int64_t generated_tokens, RealignMode mode) const {
  const double total = total_seconds(mode);
  return total == 0 ? 0.0 : static_cast<double>(generated_tokens) / total;
}

CostObserver::CostObserver(CostModel model, const Scenario& scenario) : model_(std::move(model)) {
  for (const auto& p : scenario.prompts) prompt_len_.push_back(static_cast<int>(p.size()));
  paper_applies_ = has_paper_realignment(find_strategy(scenario.strategy));
  if (model_.implementation() == Implementation::hf_eager) hf_eager_.emplace(model_);
}

void CostObserver::on_step_begin(int) {
  if (hf_eager_) hf_eager_->begin_step();
}

void CostObserver::on_create_cache(CacheId cache, ModelRole role, int, int) {
  cache_role_[cache.value] = role;
}

bool CostObserver::is_prompt_token(const TokenTag& tag) const {
  // The KV of a prompt's last token is written by the first round, not by prefill.
  return tag.index < prompt_len_.at(static_cast<std::size_t>(tag.seq)) - 1;
}

void CostObserver::add_pass(ModelRole role, bool prefill, const std::vector<RowWork>& rows) {
  const bool target = role == ModelRole::target;
  const PassCost c = model_.pass(target, rows);
  if (c.launches == 0) return;
  double& stage = prefill ? prediction_.seconds.prefill
                          : (target ? prediction_.seconds.verify : prediction_.seconds.draft);
  stage += hf_eager_ ? hf_eager_->pass(target, prefill, rows) : c.seconds;
  ++prediction_.passes;
  prediction_.launches += c.launches;
  prediction_.weight_bytes += c.weight_bytes;
  prediction_.kv_bytes += c.kv_read_bytes + c.kv_write_bytes;
  prediction_.ops += c.ops;
}

void CostObserver::on_forward_padded(ModelRole role, const PaddedBatch& batch,
                                     const ForwardOutput&) {
  // A padded pass computes every cell of its rectangle, pads included: each row feeds T
  // tokens and its attention reads all P + T columns (masking happens inside the kernel).
  rows_.clear();
  bool prefill = false;
  bool classified = false;
  const std::int64_t columns = batch.columns();
  for (int r = 0; r < batch.rows; ++r) {
    rows_.push_back({batch.tokens, columns, static_cast<std::int64_t>(batch.tokens) * columns});
    for (int t = 0; t < batch.tokens && !classified; ++t) {
      const TokenTag& tag = batch.tags[static_cast<std::size_t>(r * batch.tokens + t)];
      if (tag.seq < 0) continue;
      prefill = is_prompt_token(tag);
      classified = true;
    }
  }
  add_pass(role, prefill, rows_);
}

void CostObserver::on_forward_packed(ModelRole role, const PackedBatch& batch,
                                     const ForwardOutput&) {
  // Varlen: row r's t tokens see its e cached slots and the new ones up to themselves.
  rows_.clear();
  bool prefill = false;
  for (int r = 0; r < batch.rows(); ++r) {
    const auto ur = static_cast<std::size_t>(r);
    const std::int64_t t = batch.row_offsets[ur + 1] - batch.row_offsets[ur];
    if (t == 0) continue;
    const std::int64_t e = batch.kv_extent[ur];
    rows_.push_back({t, e + t, t * e + t * (t + 1) / 2});
  }
  for (const auto& tag : batch.tags) {
    if (tag.seq < 0) continue;
    prefill = is_prompt_token(tag);
    break;
  }
  add_pass(role, prefill, rows_);
}

void CostObserver::on_moves(const MovePlan& plan) {
  auto it = cache_role_.find(plan.src.value);
  const bool target = it == cache_role_.end() || it->second == ModelRole::target;
  const std::int64_t slots = plan.slots_moved();
  const RealignCost c = model_.move_plan(target, slots);
  const double seconds = hf_eager_ ? hf_eager_->move_plan(target, slots) : c.seconds;
  prediction_.realign_slots += slots;
  prediction_.realign_bytes += c.bytes_moved;
  prediction_.seconds.realign += seconds;
  if (!paper_applies_) {
    prediction_.paper_realign_seconds += seconds;
    prediction_.paper_realign_bytes += c.bytes_moved;
  }
}

void CostObserver::on_step_end(int, const std::vector<RowPlacement>& placements) {
  if (!paper_applies_) return;
  struct CacheShape {
    bool target = true;
    std::int64_t rows = 0, width = 0, live = 0;
  };
  std::map<int, CacheShape> caches;
  for (const auto& p : placements) {
    CacheShape& c = caches[p.cache.value];
    c.target = p.role == ModelRole::target;
    ++c.rows;
    c.width = std::max<std::int64_t>(c.width, p.width);
    c.live += p.length;
  }
  for (const auto& [id, c] : caches) {
    // The paper's code rebuilds only the target cache: its draft keeps none (hf-eager).
    if (hf_eager_ && !c.target) continue;
    const RealignCost r = model_.rebuild(c.target, c.rows, c.width, c.live);
    prediction_.paper_realign_seconds +=
        hf_eager_ ? hf_eager_->realign(c.width, c.live) : r.seconds;
    prediction_.paper_realign_bytes += r.bytes_zeroed + r.bytes_moved;
  }
}

}  // namespace lockstep::sim
