// One RapidCheck generator of random scenarios, shared by the property tests: vocabularies
// small enough that EOS and repeated tokens are common, oracle or scripted acceptance, EOS
// on or off. Bounds are inclusive upper limits.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <rapidcheck.h>

#include "sim/model_config.h"
#include "sim/scenario.h"

namespace lockstep::test {

struct ScenarioBounds {
  int batch_size = 16;
  int k = 8;
  int max_new_tokens = 24;
  int window = 32;
  int prompts = 12;
  int prompt_length = 40;
  int script_rounds = 4;
};

inline sim::ModelConfig model_with_vocab(int vocab, std::uint64_t seed) {
  sim::ModelConfig m = sim::preset("tiny", seed);
  m.name = "custom";
  m.vocab = vocab;
  return m;
}

// The strategy is left empty: callers run every strategy or draw one.
inline sim::Scenario random_scenario(const ScenarioBounds& b) {
  sim::Scenario s;
  s.name = "property";
  s.backend = "symbolic";
  const int vocab = *rc::gen::element(3, 8, 16, 256);
  s.target = model_with_vocab(vocab, *rc::gen::inRange<std::uint64_t>(0, 1000));
  s.draft.model = model_with_vocab(vocab, *rc::gen::inRange<std::uint64_t>(0, 1000));
  s.batch_size = *rc::gen::inRange(1, b.batch_size + 1);
  s.k = *rc::gen::inRange(1, b.k + 1);
  s.max_new_tokens = *rc::gen::inRange(1, b.max_new_tokens + 1);
  s.window =
      *rc::gen::inRange(std::max(2, s.batch_size), std::max({2, s.batch_size, b.window}) + 1);
  const int prompts = *rc::gen::inRange(1, b.prompts + 1);
  for (int i = 0; i < prompts; ++i) {
    const int length = *rc::gen::inRange(1, b.prompt_length + 1);
    s.prompts.push_back(*rc::gen::container<std::vector<sim::Token>>(
        static_cast<std::size_t>(length), rc::gen::inRange<sim::Token>(0, vocab)));
  }
  if (*rc::gen::arbitrary<bool>()) s.eos_token = *rc::gen::inRange<sim::Token>(0, vocab);
  s.draft.seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 20);
  const int drafter = *rc::gen::inRange(0, 5);  // oracle and script twice as often
  if (drafter == 4) {
    // No draft model: the target stands in, as the scenario loader makes it.
    s.draft.kind = sim::DrafterSpec::Kind::prompt_lookup;
    s.draft.ngram.min_n = *rc::gen::inRange(1, 3);
    s.draft.ngram.max_n = *rc::gen::inRange(s.draft.ngram.min_n, 5);
    s.draft.model = s.target;
  } else if (drafter < 2) {
    s.draft.kind = sim::DrafterSpec::Kind::oracle;
    s.draft.accept_prob = *rc::gen::inRange(0, 1001) / 1000.0;
  } else {
    s.draft.kind = sim::DrafterSpec::Kind::script;
    const int rounds = *rc::gen::inRange(1, b.script_rounds + 1);
    for (int r = 0; r < rounds; ++r) {
      s.draft.accepted.push_back(*rc::gen::container<std::vector<int>>(
          static_cast<std::size_t>(prompts), rc::gen::inRange(0, s.k + 1)));
    }
  }
  return s;
}

}  // namespace lockstep::test
