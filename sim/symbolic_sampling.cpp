#include "sim/symbolic_sampling.h"

#include <algorithm>

#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::sim {
namespace {

bool taken(const std::vector<Token>& tokens, Token t) {
  return std::find(tokens.begin(), tokens.end(), t) != tokens.end();
}

// tokens[0] and the hashed candidates, then the ids after tokens[0] if the hash fell short.
std::vector<Token> candidate_tokens(std::uint64_t state, int vocab, int count) {
  const auto v = static_cast<std::uint64_t>(vocab);
  std::vector<Token> tokens = {static_cast<Token>(state % v)};
  for (std::uint64_t i = 1; i <= 8ULL * static_cast<std::uint64_t>(count) &&
                            tokens.size() < static_cast<std::size_t>(count);
       ++i) {
    const auto t = static_cast<Token>(mix64(combine(state, i)) % v);
    if (!taken(tokens, t)) tokens.push_back(t);
  }
  for (std::uint64_t n = 1; tokens.size() < static_cast<std::size_t>(count); ++n) {
    const auto t = static_cast<Token>((static_cast<std::uint64_t>(tokens[0]) + n) % v);
    if (!taken(tokens, t)) tokens.push_back(t);
  }
  return tokens;
}

}  // namespace

SymbolicLogits symbolic_logits(std::uint64_t state, int vocab) {
  require(vocab >= 1, "symbolic_logits: vocab must be >= 1");
  const int count = std::min(kSymbolicCandidates, vocab);
  SymbolicLogits out{candidate_tokens(state, vocab, count), {0.0f}};
  const double peak = 0.1 + 1.9 * unit_interval(combine(state, 1ULL << 33));
  for (int j = 1; j < count; ++j) {
    const double u = unit_interval(combine(state, (1ULL << 32) + static_cast<std::uint64_t>(j)));
    out.logits.push_back(static_cast<float>(-(peak * (j + u))));
  }
  return out;
}

numerics::SampleDistribution symbolic_distribution(std::uint64_t state, int vocab,
                                                   const numerics::SamplingParams& params) {
  const SymbolicLogits s = symbolic_logits(state, vocab);
  return numerics::sample_distribution(s.tokens.data(), s.logits.data(),
                                       static_cast<int>(s.tokens.size()), params);
}

}  // namespace lockstep::sim
