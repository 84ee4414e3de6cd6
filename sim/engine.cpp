#include "sim/engine.h"

#include <algorithm>

#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::sim {
namespace {

template <typename T>
std::uint64_t digest_of(const std::vector<T>& values) {
  std::uint64_t h = mix64(values.size());
  for (const auto& v : values) h = combine(h, static_cast<std::uint64_t>(v));
  return h;
}

// A preset strategy runs as its base strategy with the preset's faults added; the caller's
// scenario is left as it is (its trace and summary keep the preset's name).
std::unique_ptr<Scenario> resolve_preset(const Scenario& scenario) {
  const StrategyPreset* preset = find_strategy_preset(scenario.strategy);
  if (preset == nullptr) return nullptr;
  auto out = std::make_unique<Scenario>(scenario);
  out->strategy = preset->base;
  for (const auto& f : preset->faults) {
    if (std::find(out->faults.begin(), out->faults.end(), f) == out->faults.end())
      out->faults.push_back(f);
  }
  return out;
}

}  // namespace

const char* role_name(ModelRole role) {
  return role == ModelRole::target ? "target" : "draft";
}

Engine::Engine(Backend& backend, const Scenario& scenario, std::vector<Sequence>& sequences,
               const Drafter* drafter, Observer* observer, TraceWriter* trace)
    : backend_(backend),
      resolved_(resolve_preset(scenario)),
      scenario_(resolved_ ? *resolved_ : scenario),
      strategy_(find_strategy(scenario_.strategy)),
      faults_(FaultSet::from_names(scenario_.faults)),
      sequences_(sequences),
      drafter_(drafter),
      observer_(observer),
      trace_(trace),
      k_(strategy_.drafts ? scenario_.k : 0) {
  require(k_ == 0 || drafter_ != nullptr, "Engine: a drafting strategy needs a drafter");
  metrics_.accepted_length_histogram.assign(static_cast<std::size_t>(k_) + 1, 0);
  kv_capacity_ = compute_kv_capacity();
}

int Engine::compute_kv_capacity() const {
  int longest = 0;
  for (const auto& s : sequences_) longest = std::max(longest, s.prompt_len);
  // Only the faults that let the layout run ahead need the room; the others keep the
  // correct capacity so that, where they do not fire, the run is identical slot for slot.
  if (faults_.has(Fault::stale_kv_after_rejection) || faults_.has(Fault::uniform_kv_offset) ||
      faults_.has(Fault::padding_compounds) || faults_.has(Fault::bonus_kv_duplicated)) {
    return longest + (scenario_.max_new_tokens + 1) * (k_ + 2) + k_ + 1;
  }
  return longest + scenario_.max_new_tokens + k_ + 1;
}

double& Engine::stage_seconds(Stage stage) {
  switch (stage) {
    case Stage::draft:
      return metrics_.seconds.draft;
    case Stage::verify:
      return metrics_.seconds.verify;
    case Stage::realign:
      return metrics_.seconds.realign;
    case Stage::prefill:
      return metrics_.seconds.prefill;
    case Stage::other:
      return metrics_.seconds.other;
  }
  return metrics_.seconds.other;
}

Engine::StageTimer::StageTimer(Engine& engine, Stage stage)
    : slot_(engine.stage_seconds(stage)), start_(std::chrono::steady_clock::now()) {}

Engine::StageTimer::~StageTimer() {
  slot_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

CacheId Engine::create_cache(ModelRole role, int rows, int capacity) {
  const ModelConfig& model = role == ModelRole::target ? scenario_.target : scenario_.draft.model;
  const CacheId id = backend_.create_cache(model, rows, capacity);
  if (observer_) observer_->on_create_cache(id, role, rows, capacity);
  if (trace_) {
    record(trace::CacheRecord{.model = role_name(role),
                              .cache = id.value,
                              .rows = rows,
                              .capacity = capacity,
                              .bytes_per_slot = model.kv_bytes_per_slot()});
  }
  return id;
}

template <typename CacheRowOf>
void Engine::stamp_sampling(ModelRole role, Stage stage, const std::vector<TokenTag>& tags,
                            CacheRowOf&& cache_row_of, PassSampling& out) const {
  out.sites.clear();
  out.want_distributions = false;
  const SamplingOptions& options = scenario_.sampling;
  // Greedy runs stamp nothing (their passes are those of a build without sampling); prefill
  // outputs are never read, so they are not drawn.
  if (options.greedy() || stage == Stage::prefill) return;
  out.params = options.params;
  out.seed = options.seed;
  // draft_uniform "target": the drafter draws with the target's uniform at the same site
  // (docs/numerics.md §14.9), so its proposal equals the target's draw wherever q = p.
  const bool targets_uniform =
      role == ModelRole::target || options.draft_uniform == DraftUniform::target;
  out.purpose = targets_uniform ? numerics::SamplePurpose::target_sample
                                : numerics::SamplePurpose::draft_sample;
  // Rejection sampling judges drafts by their target and draft distributions (sim/rejection.h);
  // a coupled run's verify pass returns them only for the trace's sample records (pictures).
  const bool verify = role == ModelRole::target && stage == Stage::verify;
  out.want_distributions =
      drafting() &&
      (rejection_sampling() ? verify || (role == ModelRole::draft && drafts_model_samples())
                            : verify && trace_details_);
  const bool by_row = faults_.has(Fault::sample_key_batch_row);
  const auto pass = static_cast<std::uint32_t>(
      faults_.has(Fault::sample_key_pass_counter) ? metrics_.forward_passes : 0);
  out.sites.resize(tags.size());
  for (std::size_t i = 0; i < tags.size(); ++i) {
    // Output i predicts the token after the fed one: the draw is keyed on that position.
    const TokenTag tag = tags[i];
    out.sites[i] = tag.seq < 0 ? SampleSite{}
                               : SampleSite{.sequence = by_row ? cache_row_of(i) : tag.seq,
                                            .position = tag.index + 1,
                                            .draw = pass};
  }
}

const ForwardOutput& Engine::forward(ModelRole role, PaddedBatch& batch, Stage stage) {
  stamp_sampling(
      role, stage, batch.tags,
      [&](std::size_t i) { return batch.cache_rows[i / static_cast<std::size_t>(batch.tokens)]; },
      batch.sampling);
  ForwardOutput& out = output_;
  {
    StageTimer timer(*this, stage);
    backend_.run_padded(batch, out);
  }
  ++metrics_.forward_passes;
  if (observer_) observer_->on_forward_padded(role, batch, out);
  if (trace_) {
    trace_pass(role, layout_name(Layout::padded), batch.rows, batch.tokens, batch.past,
               digest_of(batch.input_ids), digest_of(batch.positions), digest_of(batch.mask), out);
  }
  if (trace_details_) {
    std::vector<std::string> mask;
    for (int r = 0; r < batch.rows; ++r) {
      std::string row(static_cast<std::size_t>(batch.columns()), '0');
      for (int c = 0; c < batch.columns(); ++c) {
        if (batch.mask[static_cast<std::size_t>(r * batch.columns() + c)])
          row[static_cast<std::size_t>(c)] = '1';
      }
      mask.push_back(row);
    }
    record(trace::DetailPassRecord{.step = step_,
                                   .model = role_name(role),
                                   .packed = false,
                                   .cache = batch.cache.value,
                                   .rows = batch.rows,
                                   .tokens = batch.tokens,
                                   .past = batch.past,
                                   .cache_rows = batch.cache_rows,
                                   .input_ids = batch.input_ids,
                                   .positions = batch.positions,
                                   .write_slots = batch.write_slots,
                                   .tags = batch.tags,
                                   .mask = mask,
                                   .argmax = out.argmax});
  }
  trace_coupled_samples(batch.tags, batch.input_ids, out);
  return out;
}

const ForwardOutput& Engine::forward(ModelRole role, PackedBatch& batch, Stage stage) {
  stamp_sampling(
      role, stage, batch.tags,
      [&](std::size_t i) {
        const auto end = std::upper_bound(batch.row_offsets.begin(), batch.row_offsets.end(),
                                          static_cast<std::int32_t>(i));
        return batch.cache_rows[static_cast<std::size_t>(end - batch.row_offsets.begin() - 1)];
      },
      batch.sampling);
  ForwardOutput& out = output_;
  {
    StageTimer timer(*this, stage);
    backend_.run_packed(batch, out);
  }
  ++metrics_.forward_passes;
  if (observer_) observer_->on_forward_packed(role, batch, out);
  if (trace_) {
    trace_pass(role, layout_name(Layout::packed), batch.rows(),
               static_cast<int>(batch.tokens.size()), 0, digest_of(batch.tokens),
               digest_of(batch.positions),
               combine(digest_of(batch.kv_extent), digest_of(batch.row_offsets)), out);
  }
  if (trace_details_) {
    record(trace::DetailPassRecord{.step = step_,
                                   .model = role_name(role),
                                   .packed = true,
                                   .cache = batch.cache.value,
                                   .cache_rows = batch.cache_rows,
                                   .input_ids = batch.tokens,
                                   .positions = batch.positions,
                                   .row_offsets = batch.row_offsets,
                                   .kv_extent = batch.kv_extent,
                                   .tags = batch.tags,
                                   .argmax = out.argmax});
  }
  trace_coupled_samples(batch.tags, batch.tokens, out);
  return out;
}

void Engine::trace_coupled_samples(const std::vector<TokenTag>& tags, const std::vector<Token>& fed,
                                   const ForwardOutput& out) {
  // Only a coupled verify pass with trace details has distributions here (stamp_sampling).
  if (!trace_details_ || rejection_sampling() || out.distributions.empty()) return;
  for (std::size_t i = 0; i < tags.size(); ++i) {
    const numerics::SampleDistribution& d = out.distributions[i];
    if (tags[i].seq < 0 || d.size() == 0) continue;
    // Output i draws the token after the fed one; the draft there is the row's next fed token.
    const int position = tags[i].index + 1;
    const bool drafted =
        i + 1 < tags.size() && tags[i + 1].seq == tags[i].seq && tags[i + 1].index == position;
    trace::DetailSampleRecord r{.step = step_,
                                .seq = tags[i].seq,
                                .position = position,
                                .token = out.argmax[i],
                                .weight = d.weight_of(out.argmax[i]),
                                .total = d.total()};
    if (drafted) {
      r.draft = fed[i + 1];
      r.draft_weight = d.weight_of(fed[i + 1]);
    }
    record(r);
  }
}

void Engine::trace_pass(ModelRole role, const char* form, int rows, int tokens, int past,
                        std::uint64_t inputs, std::uint64_t positions, std::uint64_t mask,
                        const ForwardOutput& out) {
  record(trace::PassRecord{.step = step_,
                           .model = role_name(role),
                           .form = form,
                           .rows = rows,
                           .tokens = tokens,
                           .past = past,
                           .inputs = inputs,
                           .positions = positions,
                           .mask = mask,
                           .argmax = digest_of(out.argmax),
                           .logits = digest_of(out.digest)});
}

void Engine::move(ModelRole role, const MovePlan& plan, MovePromises promises) {
  if (plan.moves.empty()) return;
  {
    StageTimer timer(*this, Stage::realign);
    backend_.apply_promised_moves(plan, promises);
  }
  const std::int64_t bytes =
      plan.slots_moved() * backend_.cache_model(plan.src).kv_bytes_per_slot();
  metrics_.realign_bytes += bytes;
  metrics_.realign_moves += static_cast<std::int64_t>(plan.moves.size());
  if (observer_) observer_->on_moves(plan);
  if (trace_) {
    record(trace::MovesRecord{.step = step_,
                              .model = role_name(role),
                              .src = plan.src.value,
                              .dst = plan.dst.value,
                              .moves = plan.moves,
                              .bytes = bytes});
  }
}

void Engine::crop(ModelRole, CacheId cache, int row, int from_slot) {
  // Untimed: a crop is bookkeeping (a real cache just forgets the slots), and a clock read
  // per row would cost more than the crop.
  backend_.crop(cache, row, from_slot);
  if (observer_) observer_->on_crop(cache, row, from_slot);
  if (trace_details_) {
    record(trace::DetailCropRecord{
        .step = step_, .cache = cache.value, .row = row, .from = from_slot});
  }
}

Token Engine::propose(const Sequence& seq, int i, int index, Token model_choice) const {
  return drafter_->propose(seq, seq.rounds, i, index, model_choice);
}

void Engine::begin_step() {
  ++step_;
  ++metrics_.steps;
  if (observer_) observer_->on_step_begin(step_);
}

int Engine::commit_round(int row, Sequence& seq, std::span<const Token> tokens, int accepted) {
  require(!seq.finished, [&] {
    return std::string("commit_round: sequence " + std::to_string(seq.id) + " already finished");
  });
  int committed = 0;
  for (Token token : tokens) {
    seq.tokens.push_back(token);
    ++committed;
    if (observer_) observer_->on_commit(step_, row, seq, seq.length() - 1);
    // first-eos-only: a loop that compares with one EOS id although the model has several.
    const bool eos = faults_.has(Fault::first_eos_only)
                         ? scenario_.eos_token && token == *scenario_.eos_token
                         : scenario_.is_eos(token);
    if (eos || seq.generated() >= scenario_.max_new_tokens) {
      seq.finished = true;
      break;
    }
  }
  ++seq.rounds;
  ++metrics_.rounds;
  seq.draft_proposed += k_;
  seq.draft_accepted += accepted;
  metrics_.draft_proposed += k_;
  metrics_.draft_accepted += accepted;
  metrics_.generated_tokens += committed;
  ++metrics_.accepted_length_histogram.at(static_cast<std::size_t>(accepted));
  if (seq.finished && trace_) {
    record(trace::FinishRecord{
        .step = step_,
        .seq = seq.id,
        .generated = std::vector<Token>(seq.tokens.begin() + seq.prompt_len, seq.tokens.end())});
  }
  return committed;
}

void Engine::end_step(const std::vector<RowPlacement>& placements) {
  if (observer_) observer_->on_step_end(step_, placements);
  if (!trace_) return;
  trace::StateRecord state{.step = step_};
  for (const auto& p : placements) {
    state.rows.push_back({.seq = p.seq,
                          .model = role_name(p.role),
                          .row = p.row,
                          .first = p.first_slot,
                          .length = p.length,
                          .width = p.width,
                          .kv = backend_.kv_digest(p.cache, p.row, p.first_slot, p.length)});
  }
  record(state);
}

void Engine::record(const trace::Record& record) {
  if (trace_) trace_->record(record);
}

bool Engine::all_finished() const {
  return std::all_of(sequences_.begin(), sequences_.end(),
                     [](const Sequence& s) { return s.finished; });
}

int Engine::next_unadmitted() {
  if (admitted_ >= static_cast<int>(sequences_.size())) return -1;
  return admitted_++;
}

}  // namespace lockstep::sim
