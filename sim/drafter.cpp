#include "sim/drafter.h"

#include <algorithm>
#include <map>
#include <string>

#include "sim/error.h"
#include "sim/hash.h"
#include "sim/prompt_lookup.h"

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
  bool proposes_model_choice() const override { return true; }
};

// Prompt lookup: a round's k proposals are computed once from the sequence's committed tokens
// (at its first proposal) and handed out one by one; the rounds of one sequence never
// interleave, so one cached round per sequence suffices.
class PromptLookupDrafter final : public Drafter {
 public:
  PromptLookupDrafter(const DrafterSpec& spec, int k) : ngram_(spec.ngram), k_(k) {}

  Token propose(const Sequence& seq, int, int i, int, Token) const override {
    require(i >= 1 && i <= k_, "prompt lookup: proposal index outside 1..k");
    Round& round = rounds_[seq.id];
    if (round.length != seq.length()) {
      round.length = seq.length();
      round.drafts = prompt_lookup_drafts(seq.tokens, ngram_, k_);
    }
    return round.drafts[static_cast<std::size_t>(i - 1)];
  }
  bool runs_draft_model() const override { return false; }

 private:
  struct Round {
    std::int32_t length = -1;  // the sequence's length the drafts were made for
    std::vector<Token> drafts;
  };
  NgramRange ngram_;
  int k_;
  mutable std::map<std::int32_t, Round> rounds_;
};

}  // namespace

const std::vector<DrafterKindInfo>& drafter_kinds() {
  static const std::vector<DrafterKindInfo> kinds = {
      {DrafterSpec::Kind::oracle, "oracle",
       "the target's own token, corrupted with a seeded probability (runs the draft model)"},
      {DrafterSpec::Kind::script, "script",
       "accepts a scripted number of drafts per sequence and round (runs the draft model)"},
      {DrafterSpec::Kind::model, "model", "the draft model's own greedy tokens"},
      {DrafterSpec::Kind::prompt_lookup, "prompt-lookup",
       "n-gram match over the sequence's own prompt and output (min_n, max_n); no draft model"},
  };
  return kinds;
}

std::string drafter_kind_list() {
  std::string out;
  for (const auto& k : drafter_kinds()) out += (out.empty() ? "" : ", ") + std::string(k.name);
  return out;
}

Token corrupt_token(Token token, std::uint64_t key, int vocab) {
  const auto v = static_cast<std::uint64_t>(vocab);
  const auto shift = 1 + mix64(key) % (v - 1);
  return static_cast<Token>((static_cast<std::uint64_t>(token) + shift) % v);
}

std::unique_ptr<Drafter> make_drafter(const DrafterSpec& spec, const ReferenceContinuation& truth,
                                      int vocab, int k) {
  switch (spec.kind) {
    case DrafterSpec::Kind::oracle:
      return std::make_unique<OracleDrafter>(spec, truth, vocab);
    case DrafterSpec::Kind::script:
      return std::make_unique<ScriptDrafter>(spec, truth, vocab);
    case DrafterSpec::Kind::model:
      return std::make_unique<ModelDrafter>();
    case DrafterSpec::Kind::prompt_lookup:
      return std::make_unique<PromptLookupDrafter>(spec, k);
  }
  throw ContractError("make_drafter: unknown drafter kind");
}

}  // namespace lockstep::sim
