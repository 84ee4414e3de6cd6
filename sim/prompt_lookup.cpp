#include "sim/prompt_lookup.h"

#include <algorithm>
#include <string>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

// The start of the most recent occurrence of tokens' last n tokens that ends before the last
// token, or -1.
std::ptrdiff_t latest_earlier_occurrence(std::span<const Token> tokens, std::size_t n) {
  const std::size_t length = tokens.size();
  if (n == 0 || length < n + 1) return -1;
  const auto suffix = tokens.subspan(length - n);
  for (std::size_t start = length - n; start-- > 0;) {
    if (std::equal(suffix.begin(), suffix.end(),
                   tokens.begin() + static_cast<std::ptrdiff_t>(start)))
      return static_cast<std::ptrdiff_t>(start);
  }
  return -1;
}

void require_valid(NgramRange n, int k) {
  require(n.min_n >= 1 && n.min_n <= n.max_n && k >= 0, [&] {
    return "prompt_lookup: needs 1 <= min_n <= max_n and k >= 0, got min_n " +
           std::to_string(n.min_n) + ", max_n " + std::to_string(n.max_n) + ", k " +
           std::to_string(k);
  });
}

}  // namespace

std::vector<Token> prompt_lookup(std::span<const Token> tokens, NgramRange n, int k) {
  require_valid(n, k);
  for (int size = n.max_n; size >= n.min_n; --size) {
    const auto ngram = static_cast<std::size_t>(size);
    const std::ptrdiff_t start = latest_earlier_occurrence(tokens, ngram);
    if (start < 0) continue;
    const auto from = static_cast<std::size_t>(start) + ngram;
    const std::size_t count = std::min(static_cast<std::size_t>(k), tokens.size() - from);
    return {tokens.begin() + static_cast<std::ptrdiff_t>(from),
            tokens.begin() + static_cast<std::ptrdiff_t>(from + count)};
  }
  return {};
}

std::vector<Token> prompt_lookup_drafts(std::span<const Token> tokens, NgramRange n, int k) {
  require_valid(n, k);
  require(!tokens.empty(), "prompt_lookup_drafts: needs at least one token");
  std::vector<Token> context(tokens.begin(), tokens.end());
  const std::size_t first = context.size();
  while (context.size() - first < static_cast<std::size_t>(k)) {
    const int wanted = k - static_cast<int>(context.size() - first);
    std::vector<Token> more = prompt_lookup(context, n, wanted);
    // Nothing earlier matches: guess the newest token again (the target usually rejects it).
    if (more.empty()) more.assign(static_cast<std::size_t>(wanted), context.back());
    context.insert(context.end(), more.begin(), more.end());
  }
  return {context.begin() + static_cast<std::ptrdiff_t>(first), context.end()};
}

}  // namespace lockstep::sim
