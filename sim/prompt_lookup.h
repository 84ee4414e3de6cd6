// Prompt lookup (n-gram) drafting: proposals taken from the sequence's own prompt and output,
// with no draft model (the technique of Hugging Face's `prompt_lookup_num_tokens` and vLLM's
// ngram proposer; docs/architecture.md, "Drafters").
//
// Contract: pure functions of a token sequence. prompt_lookup matches the sequence's last n
// tokens, for n from max_n down to min_n, against every earlier position and returns the
// tokens that followed the most recent earlier occurrence of the longest n that occurs. It
// returns at most k tokens, and fewer when that occurrence ends closer than k to the end of the
// sequence (the continuation may run into the matched suffix itself, as vLLM's does); empty
// when nothing matches. Where vLLM (V1) prefers the earliest occurrence of the longest match,
// this prefers the most recent, the one nearest the text being generated.
// prompt_lookup_drafts fills a round's k proposals, which a lockstep round always needs (every
// row of a pass feeds k + 1 tokens): it looks up again with the proposals so far appended (so
// a periodic continuation keeps its period), and repeats the newest token when nothing matches
// at all. It decides nothing about acceptance: the target verifies every proposal.
#pragma once

#include <span>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

struct NgramRange {
  int min_n = 1;
  int max_n = 3;
};

// The continuation of the most recent earlier occurrence of the longest matching suffix
// n-gram, at most k tokens. Requires 1 <= min_n <= max_n and k >= 0 (ContractError otherwise).
std::vector<Token> prompt_lookup(std::span<const Token> tokens, NgramRange n, int k);

// Exactly k proposals for the tokens (k >= 0; tokens non-empty).
std::vector<Token> prompt_lookup_drafts(std::span<const Token> tokens, NgramRange n, int k);

}  // namespace lockstep::sim
