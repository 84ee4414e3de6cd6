#include "sim/drafter.h"

#include <algorithm>
#include <string>

#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::sim {
namespace {

std::uint64_t proposal_key(std::uint64_t seed, int seq, int index) {
  return combine(combine(seed, static_cast<std::uint64_t>(seq)), static_cast<std::uint64_t>(index));
}

Token true_token(const ReferenceContinuation& truth, const Sequence& seq, int index) {
  const auto& row = truth.tokens.at(static_cast<std::size_t>(seq.id));
  const int g = index - seq.prompt_len;
  require(g >= 0 && g < static_cast<int>(row.size()), [&] {
    return std::string("drafter: position " + std::to_string(index) + " of sequence " +
                       std::to_string(seq.id) + " is outside the reference continuation");
  });
  return row[static_cast<std::size_t>(g)];
}

class OracleDrafter final : public Drafter {
 public:
  OracleDrafter(const DrafterSpec& spec, const ReferenceContinuation& truth, int vocab)
      : accept_prob_(spec.accept_prob), seed_(spec.seed), truth_(truth), vocab_(vocab) {}

  Token propose(const Sequence& seq, int, int, int index, Token) const override {
    const std::uint64_t key = proposal_key(seed_, seq.id, index);
    const Token truth = true_token(truth_, seq, index);
    if (unit_interval(key) < accept_prob_) return truth;
    return corrupt_token(truth, combine(key, 1), vocab_);
  }

 private:
  double accept_prob_;
  std::uint64_t seed_;
  const ReferenceContinuation& truth_;
  int vocab_;
};

// Round r of sequence s accepts exactly accepted[r][s] drafts (the last listed round repeats
// for later rounds): proposals 1..a are the truth, proposal a+1 is guaranteed wrong.
class ScriptDrafter final : public Drafter {
 public:
  ScriptDrafter(const DrafterSpec& spec, const ReferenceContinuation& truth, int vocab)
      : accepted_(spec.accepted), seed_(spec.seed), truth_(truth), vocab_(vocab) {}

  Token propose(const Sequence& seq, int round, int i, int index, Token) const override {
    const auto& row = accepted_[static_cast<std::size_t>(
        std::min<int>(round, static_cast<int>(accepted_.size()) - 1))];
    const int accept = row.at(static_cast<std::size_t>(seq.id));
    const Token truth = true_token(truth_, seq, index);
    if (i <= accept) return truth;
    return corrupt_token(truth, proposal_key(seed_, seq.id, index), vocab_);
  }

 private:
  std::vector<std::vector<int>> accepted_;
  std::uint64_t seed_;
  const ReferenceContinuation& truth_;
  int vocab_;
};

// The draft model's own greedy choice is the proposal.
class ModelDrafter final : public Drafter {
 public:
  Token propose(const Sequence&, int, int, int, Token model_choice) const override {
    return model_choice;
  }
};

}  // namespace

Token corrupt_token(Token token, std::uint64_t key, int vocab) {
  const auto v = static_cast<std::uint64_t>(vocab);
  const auto shift = 1 + mix64(key) % (v - 1);
  return static_cast<Token>((static_cast<std::uint64_t>(token) + shift) % v);
}

std::unique_ptr<Drafter> make_drafter(const DrafterSpec& spec, const ReferenceContinuation& truth,
                                      int vocab) {
  switch (spec.kind) {
    case DrafterSpec::Kind::oracle:
      return std::make_unique<OracleDrafter>(spec, truth, vocab);
    case DrafterSpec::Kind::script:
      return std::make_unique<ScriptDrafter>(spec, truth, vocab);
    case DrafterSpec::Kind::model:
      return std::make_unique<ModelDrafter>();
  }
  throw ContractError("make_drafter: unknown drafter kind");
}

}  // namespace lockstep::sim
