#include "sim/rejection.h"

#include "sim/error.h"

namespace lockstep::sim {
namespace {

using numerics::SampleDistribution;
using numerics::SampleKey;
using numerics::SamplePurpose;
using numerics::WideWeight;

SampleKey key_at(const RowJudgement& row, int position, SamplePurpose purpose) {
  return SampleKey{
      .seed = row.seed, .sequence = row.sequence, .position = position, .purpose = purpose};
}

// A draw from an ordinary distribution, with its probability.
SampledToken plain_draw(const SampleDistribution& d, const SampleKey& key, const char* source) {
  const Token token = numerics::sample_token(d, numerics::key_bits(key));
  return SampledToken{
      .source = source, .token = token, .weight = d.weight_of(token), .total = d.total()};
}

// rejection-residual-unnormalized: the pick's target is scaled by p's total (times Q, the
// residual's scale) instead of the residual's own total R <= P * Q. With probability
// 1 - R / (P * Q) it lands past the residual's mass, and the buggy loop then keeps the
// target's own sample: the correction follows (R / PQ) norm(max(0, p - q)) + (1 - R / PQ) p.
SampledToken unnormalized_residual_draw(const numerics::ResidualDistribution& r,
                                        const SampleDistribution& p, const SampleDistribution& q,
                                        const SampleKey& key) {
  const WideWeight scale = static_cast<WideWeight>(p.total()) * q.total();
  const WideWeight target = numerics::mul_high64_wide(numerics::key_bits(key), scale);
  if (target < r.total()) {
    const int i = numerics::first_index_above(r.cumulative.data(), r.size(), target);
    const auto ui = static_cast<std::size_t>(i);
    return SampledToken{
        .source = "residual", .token = r.tokens[ui], .weight = r.weights[ui], .total = scale};
  }
  SampleKey own = key;
  own.purpose = SamplePurpose::target_sample;
  return plain_draw(p, own, "residual");
}

}  // namespace

SampledToken residual_draw(const SampleDistribution& p, const SampleDistribution& q,
                           const SampleKey& key, const FaultSet& faults) {
  const numerics::ResidualDistribution r = numerics::residual_distribution(p, q);
  if (faults.has(Fault::rejection_residual_unnormalized))
    return unnormalized_residual_draw(r, p, q, key);
  const Token token = numerics::sample_residual(r, numerics::key_bits(key));
  return SampledToken{
      .source = "residual", .token = token, .weight = r.weight_of(token), .total = r.total()};
}

RowVerdict judge_drafts(const RowJudgement& row, const FaultSet& faults) {
  require(row.drafts != nullptr && row.p != nullptr && row.q != nullptr,
          "judge_drafts: needs drafts, p and q");
  const auto k = row.drafts->size();
  require(row.p->size() == k + 1 && (row.q->size() == k || row.q->size() == k + 1), [&] {
    return "judge_drafts: " + std::to_string(k) + " drafts need " + std::to_string(k + 1) +
           " target distributions (got " + std::to_string(row.p->size()) + ") and " +
           std::to_string(k) + " draft distributions (got " + std::to_string(row.q->size()) + ")";
  });
  RowVerdict verdict;
  for (std::size_t i = 0; i < k; ++i) {
    const SampleDistribution& p = (*row.p)[i];
    const SampleDistribution& q = (*row.q)[i];
    const Token d = (*row.drafts)[i];
    const int position = row.first_position + static_cast<int>(i);
    JudgedDraft j{.draft = d,
                  .p_weight = p.weight_of(d),
                  .p_total = p.total(),
                  .q_weight = q.weight_of(d),
                  .q_total = q.total()};
    const auto bits = numerics::key_bits(key_at(row, position, SamplePurpose::accept_test));
    j.accepted = faults.has(Fault::rejection_accept_if_p_ge_q)
                     ? static_cast<WideWeight>(j.p_weight) * j.q_total >=
                           static_cast<WideWeight>(j.q_weight) * j.p_total
                     : numerics::accept_draft(j.p_weight, j.p_total, j.q_weight, j.q_total, bits);
    verdict.judged.push_back(j);
    if (!j.accepted) {
      verdict.sampled =
          residual_draw(p, q, key_at(row, position, SamplePurpose::residual_sample), faults);
      return verdict;
    }
    ++verdict.accepted;
  }
  const int bonus_position = row.first_position + static_cast<int>(k);
  const bool from_q = faults.has(Fault::rejection_bonus_from_q) && row.q->size() == k + 1;
  verdict.sampled = plain_draw(from_q ? (*row.q)[k] : (*row.p)[k],
                               key_at(row, bonus_position, SamplePurpose::target_sample), "bonus");
  return verdict;
}

}  // namespace lockstep::sim
