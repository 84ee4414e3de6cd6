#include "verify/rejection_commits.h"

#include "numerics/speculative_sampling.h"
#include "sim/error.h"

namespace lockstep::verify {
namespace {

numerics::SampleKey key_at(std::uint64_t seed, int seq, int position,
                           numerics::SamplePurpose purpose) {
  return {.seed = seed, .sequence = seq, .position = position, .purpose = purpose};
}

}  // namespace

RejectionCommits::RejectionCommits(int sequences, std::uint64_t seed) : seed_(seed) {
  require(sequences >= 0, "RejectionCommits: negative sequence count");
  target_.resize(static_cast<std::size_t>(sequences));
  draft_q_.resize(static_cast<std::size_t>(sequences));
}

void RejectionCommits::note(sim::ModelRole role, const sim::TokenTag& tag, sim::Token fed,
                            std::size_t i, const sim::ForwardOutput& out) {
  if (tag.seq < 0 || tag.index < 0) return;  // a pad
  require(static_cast<std::size_t>(tag.seq) < target_.size(),
          "RejectionCommits: a pass tags a sequence outside the run");
  const bool has_distribution = i < out.distributions.size() && out.distributions[i].size() > 0;
  const auto seq = static_cast<std::size_t>(tag.seq);
  if (role == sim::ModelRole::draft) {
    if (has_distribution) draft_q_[seq][tag.index + 1] = out.distributions[i];
    return;
  }
  LatestPass& p = target_[seq];
  if (p.pass != passes_) p = LatestPass{.pass = passes_, .fed = {}, .predicts = {}};
  p.fed[tag.index] = fed;
  if (has_distribution) p.predicts[tag.index] = out.distributions[i];
}

void RejectionCommits::on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& b,
                                         const sim::ForwardOutput& out) {
  ++passes_;
  for (std::size_t i = 0; i < b.tags.size(); ++i) note(role, b.tags[i], b.input_ids[i], i, out);
}

void RejectionCommits::on_forward_packed(sim::ModelRole role, const sim::PackedBatch& b,
                                         const sim::ForwardOutput& out) {
  ++passes_;
  for (std::size_t i = 0; i < b.tags.size(); ++i) note(role, b.tags[i], b.tokens[i], i, out);
}

std::string RejectionCommits::check(const sim::Sequence& seq, int index) {
  auto& qs = draft_q_.at(static_cast<std::size_t>(seq.id));
  std::string why = judge(seq, index);
  qs.erase(qs.begin(), qs.upper_bound(index));
  return why;
}

std::string RejectionCommits::judge(const sim::Sequence& seq, int index) const {
  using numerics::SamplePurpose;
  const LatestPass& p = target_.at(static_cast<std::size_t>(seq.id));
  const auto query = p.predicts.find(index - 1);
  // A target pass that returned no distribution (ar, which judges nothing) is checked by the
  // stop rule alone.
  if (query == p.predicts.end()) return p.fed.count(index - 1) ? "" : "no target pass fed it";
  const numerics::SampleDistribution& target = query->second;
  const sim::Token got = seq.tokens[static_cast<std::size_t>(index)];
  sim::Token want = 0;
  std::string what;
  if (const auto draft = p.fed.find(index); draft != p.fed.end()) {
    const sim::Token d = draft->second;
    const auto& qs = draft_q_[static_cast<std::size_t>(seq.id)];
    const auto found = qs.find(index);
    const numerics::SampleDistribution q =
        found != qs.end() ? found->second : numerics::one_hot_distribution(d);
    const bool accept =
        q.weight_of(d) > 0 &&
        numerics::accept_draft(
            target.weight_of(d), target.total(), q.weight_of(d), q.total(),
            numerics::key_bits(key_at(seed_, seq.id, index, SamplePurpose::accept_test)));
    if (accept) {
      want = d;
      what = "the accepted draft";
    } else {
      const auto r = numerics::residual_distribution(target, q);
      want = numerics::sample_residual(
          r, numerics::key_bits(key_at(seed_, seq.id, index, SamplePurpose::residual_sample)));
      what = "the residual draw at the rejected draft " + std::to_string(d);
    }
  } else {
    want = numerics::sample_token(
        target, numerics::key_bits(key_at(seed_, seq.id, index, SamplePurpose::target_sample)));
    what = "the bonus draw";
  }
  if (got == want) return "";
  return "rejection sampling commits " + what + " " + std::to_string(want) + " there, not " +
         std::to_string(got);
}

}  // namespace lockstep::verify
