// The merge loop of BPE (see bpe_merge.h).
#include "tokenizer/bpe_merge.h"

#include <queue>

namespace lockstep::tokenizer {
namespace {

// A pair that could merge, as it was when queued; stale once either side has changed.
struct Candidate {
  std::int32_t rank;
  std::int32_t left;  // symbol index; indices keep the word's order
  TokenId left_id, right_id;
  TokenId result;
};

// Lowest rank first, then leftmost.
struct LaterFirst {
  bool operator()(const Candidate& a, const Candidate& b) const {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  }
};

}  // namespace

std::uint64_t pair_key(TokenId left, TokenId right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}

void apply_merges(const MergeTable& merges, std::vector<TokenId>& symbols) {
  const auto n = static_cast<std::int32_t>(symbols.size());
  if (n < 2) return;
  std::vector<TokenId>& id = symbols;  // id[i] == -1: merged into its left neighbour
  std::vector<std::int32_t> next(n), prev(n);
  for (std::int32_t i = 0; i < n; ++i) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  std::priority_queue<Candidate, std::vector<Candidate>, LaterFirst> queue;
  const auto consider = [&](std::int32_t left) {
    if (left < 0 || next[left] < 0) return;
    const auto found = merges.find(pair_key(id[left], id[next[left]]));
    if (found == merges.end()) return;
    queue.push({found->second.rank, left, id[left], id[next[left]], found->second.result});
  };
  for (std::int32_t i = 0; i + 1 < n; ++i) consider(i);
  while (!queue.empty()) {
    const Candidate c = queue.top();
    queue.pop();
    const std::int32_t right = next[c.left];
    // A merge always changes its left symbol's id and kills its right one, so unchanged ids
    // on both sides mean the pair is still there.
    if (id[c.left] != c.left_id || right < 0 || id[right] != c.right_id) continue;
    id[c.left] = c.result;
    id[right] = -1;
    next[c.left] = next[right];
    if (next[right] >= 0) prev[next[right]] = c.left;
    consider(prev[c.left]);
    consider(c.left);
  }
  std::erase(symbols, -1);
}

}  // namespace lockstep::tokenizer
