// BPE's merge step on one pre-tokenized word: repeatedly join the adjacent pair of symbols
// with the best (lowest) merge rank, the leftmost one among equals, until no pair has a merge.
// A heap of candidate pairs over a linked list of symbols keeps it O(n log n), so a long word
// (a run of 100k spaces) costs no more than its length suggests. Knows nothing of text.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace lockstep::tokenizer {

using TokenId = std::int32_t;

struct Merge {
  std::int32_t rank;  // position in the merge list: lower merges first
  TokenId result;     // the token the pair becomes
};

// (left << 32 | right) -> its merge.
using MergeTable = std::unordered_map<std::uint64_t, Merge>;

std::uint64_t pair_key(TokenId left, TokenId right);

// Merges `symbols` (token ids, in order) in place.
void apply_merges(const MergeTable& merges, std::vector<TokenId>& symbols);

}  // namespace lockstep::tokenizer
