// The symbolic backend's sampling distribution (sim/symbolic_sampling.h, docs/numerics.md
// §14.6): its greedy token is the symbolic backend's argmax for every query of real passes;
// its candidates and logits are what the text says (re-computed here from sim/hash.h alone);
// small vocabularies get every token once; and the distribution has the documented spread.
// Golden records of it are in tests/golden/sampling_v1.txt (test_sampling).
#define BOOST_TEST_MODULE symbolic_sampling
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "numerics/sampling.h"
#include "sim/hash.h"
#include "sim/model_config.h"
#include "sim/symbolic_backend.h"
#include "sim/symbolic_sampling.h"
#include "tests/one_row_pass.h"

namespace lockstep {
namespace {

namespace nx = numerics;

// Every query of a 40-token pass: the digest is the query's state, and the greedy (and the
// top_k = 1) sample of its distribution is the pass's argmax, for any uniform.
BOOST_AUTO_TEST_CASE(greedy_sample_is_the_symbolic_argmax) {
  for (const char* preset : {"tiny", "vicuna-68m"}) {
    const sim::ModelConfig m = sim::preset(preset, 5);
    sim::SymbolicBackend backend;
    const sim::CacheId cache = backend.create_cache(m, 1, 64);
    std::vector<sim::Token> tokens;
    for (int i = 0; i < 40; ++i) tokens.push_back((i * 37 + 3) % m.vocab);
    sim::ForwardOutput out;
    backend.run_packed(test::one_row_pass(cache, tokens), out);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::uint64_t bits = sim::mix64(i);
      const auto greedy = sim::symbolic_distribution(out.digest[i], m.vocab, {});
      BOOST_CHECK_EQUAL(nx::sample_token(greedy, bits), out.argmax[i]);
      const auto top1 = sim::symbolic_distribution(out.digest[i], m.vocab, {1.0f, 1, 1.0});
      BOOST_CHECK_EQUAL(nx::sample_token(top1, bits), out.argmax[i]);
    }
  }
}

// The text of sim/symbolic_sampling.h, re-computed for a state and a large vocabulary (where
// the hash never falls short).
BOOST_AUTO_TEST_CASE(candidates_and_logits_are_as_documented) {
  for (std::uint64_t key = 0; key < 300; ++key) {
    const std::uint64_t state = sim::mix64(key * 7 + 1);
    const int vocab = 32000;
    const sim::SymbolicLogits s = sim::symbolic_logits(state, vocab);
    BOOST_REQUIRE_EQUAL(s.tokens.size(), 8u);
    BOOST_REQUIRE_EQUAL(s.logits.size(), 8u);
    BOOST_CHECK_EQUAL(s.tokens[0], static_cast<sim::Token>(state % vocab));
    BOOST_CHECK_EQUAL(s.logits[0], 0.0f);
    std::vector<sim::Token> expected = {s.tokens[0]};
    for (std::uint64_t i = 1; expected.size() < 8; ++i) {
      const auto t = static_cast<sim::Token>(sim::mix64(sim::combine(state, i)) % vocab);
      if (std::find(expected.begin(), expected.end(), t) == expected.end()) expected.push_back(t);
    }
    BOOST_CHECK(s.tokens == expected);
    const double peak = 0.1 + 1.9 * sim::unit_interval(sim::combine(state, 1ULL << 33));
    for (int j = 1; j < 8; ++j) {
      const double u = sim::unit_interval(sim::combine(state, (1ULL << 32) + j));
      BOOST_CHECK_EQUAL(s.logits[static_cast<std::size_t>(j)],
                        static_cast<float>(-(peak * (j + u))));
      BOOST_CHECK_LT(s.logits[static_cast<std::size_t>(j)], 0.0f);
    }
  }
}

BOOST_AUTO_TEST_CASE(small_vocabularies_get_every_token_once) {
  for (int vocab = 1; vocab <= 9; ++vocab) {
    for (std::uint64_t state = 0; state < 50; ++state) {
      const auto s = sim::symbolic_logits(sim::mix64(state), vocab);
      auto sorted = s.tokens;
      std::sort(sorted.begin(), sorted.end());
      BOOST_REQUIRE_EQUAL(sorted.size(), static_cast<std::size_t>(std::min(vocab, 8)));
      BOOST_CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
      BOOST_CHECK(sorted.front() >= 0 && sorted.back() < vocab);
    }
  }
  BOOST_CHECK_THROW(sim::symbolic_logits(1, 0), ContractError);
}

// The spread the simulator's sampling figures rely on: at T = 1 the top token's probability
// varies between queries (peaked and flat ones), its mean is between 0.5 and 0.8, and a lower
// temperature sharpens it.
BOOST_AUTO_TEST_CASE(distribution_has_the_documented_spread) {
  double sum1 = 0.0, sum07 = 0.0, lowest = 1.0, highest = 0.0;
  const int states = 2000;
  for (int i = 0; i < states; ++i) {
    const std::uint64_t state = sim::mix64(static_cast<std::uint64_t>(i) + 99);
    const double p1 =
        sim::symbolic_distribution(state, 32000, {1.0f, nx::kTopKAll, 1.0}).probability(0);
    sum1 += p1;
    sum07 += sim::symbolic_distribution(state, 32000, {0.7f, nx::kTopKAll, 1.0}).probability(0);
    lowest = std::min(lowest, p1);
    highest = std::max(highest, p1);
  }
  BOOST_TEST_MESSAGE("top probability at T = 1: mean " << sum1 / states << ", range [" << lowest
                                                       << ", " << highest << "]");
  BOOST_CHECK_GT(sum1 / states, 0.5);
  BOOST_CHECK_LT(sum1 / states, 0.8);
  BOOST_CHECK_LT(lowest, 0.3);
  BOOST_CHECK_GT(highest, 0.9);
  BOOST_CHECK_GT(sum07, sum1);
}

}  // namespace
}  // namespace lockstep
