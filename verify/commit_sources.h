// Where every committed token came from (issue 13, the anatomy of a divergence): an Observer
// that remembers, per sequence, the target's latest pass over it (the tokens each query was
// fed, its argmax and top-2 logits, the pass's shape) and, when the controller commits the
// token at logical index j, files query j-1 of that pass as the token's source.
//
// It judges nothing: the invariant checker reads the sources under float numerics (I5 there:
// each committed token is the target's own choice, docs/invariants.md) and the divergence
// report reads them to show both runs' logits at the first differing position. Draft passes
// are ignored: their choices are proposals, never committed as such. Pad queries are ignored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/observer.h"
#include "sim/sequence.h"

namespace lockstep::verify {

// What a pass did for the sequence whose token it predicted: prefill (its row fed prompt
// tokens before the prompt's last), decode (one token), verify (the last token and drafts).
enum class PassKind { prefill, decode, verify };
const char* pass_kind_name(PassKind kind);

// The shape of one target pass, as the backend saw it: the reduction order of a float
// backend depends on exactly these numbers.
struct PassShape {
  int step = 0;  // controller step (0: before the first step)
  bool packed = false;
  int rows = 0;    // R
  int tokens = 0;  // padded: T per row; packed: N, every row together
  int past = 0;    // padded: P; packed: 0
  // "padded 4x3 past 12" | "packed 13 tokens in 4 rows"
  std::string describe() const;
};

struct CommitSource {
  bool found = false;                  // a target pass fed index j-1 of the sequence
  sim::Token predicted = -1;           // that query's argmax
  bool context_matches = false;        // the pass fed the committed tokens at every index it held
  std::optional<sim::LogitTop2> top2;  // absent for backends without logits (symbolic)
  PassKind kind = PassKind::decode;
  PassShape pass;
  int commit_step = 0;  // the step that committed the token
};

class CommitSources final : public sim::Observer {
 public:
  // `sequences`: how many sequences the run has (ids 0 .. sequences-1).
  explicit CommitSources(int sequences);

  void on_step_begin(int step) override { step_ = step; }
  void on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& batch,
                         const sim::ForwardOutput& out) override;
  void on_forward_packed(sim::ModelRole role, const sim::PackedBatch& batch,
                         const sim::ForwardOutput& out) override;
  void on_commit(int step, int row, const sim::Sequence& seq, int index) override;

  // The source of generated token `position` (0 = first generated) of sequence `seq`, or
  // null when that token was never committed. Throws ContractError for an unknown seq.
  const CommitSource* source(int seq, int position) const;

 private:
  // One sequence's part of the latest target pass that fed it: the tokens fed at indices
  // first, first+1, ... (-1 where the pass fed none) and each query's outputs.
  struct LatestPass {
    std::int64_t pass = -1;
    PassShape shape;
    int first = 0;
    std::vector<sim::Token> fed{}, argmax{};
    std::vector<std::optional<sim::LogitTop2>> top2{};
  };
  void begin_pass(PassShape shape);
  void note_query(const sim::TokenTag& tag, sim::Token fed, std::size_t out_index,
                  const sim::ForwardOutput& out);

  std::vector<LatestPass> latest_;                  // [seq]
  std::vector<std::vector<CommitSource>> sources_;  // [seq][generated position]
  std::int64_t passes_ = 0;
  PassShape shape_;
  int step_ = 0;
};

}  // namespace lockstep::verify
