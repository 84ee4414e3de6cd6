// The prompt-lookup drafter (sim/prompt_lookup.h): the matcher prefers the longest n-gram, then
// its most recent earlier occurrence, and returns at most k tokens, fewer when the
// continuation runs out; a round's drafts are always k. On a repetitive scenario
// (tests/data/prompt_lookup_repetitive.json) every strategy on both backends stays 100%
// equivalent with no invariant broken, accepts some lookups on the cpu backend, and runs no
// draft pass.
#define BOOST_TEST_MODULE prompt_lookup
#include <boost/test/unit_test.hpp>

#include <vector>

#include "reference/cpu_backend.h"
#include "sim/error.h"
#include "sim/prompt_lookup.h"
#include "sim/scenario.h"
#include "tests/cpu_backend_fixture.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

using Tokens = std::vector<sim::Token>;

Tokens lookup(const Tokens& tokens, int min_n, int max_n, int k) {
  return sim::prompt_lookup(tokens, {min_n, max_n}, k);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_longest_ngram_wins_over_a_more_recent_shorter_one) {
  // [5, 6] occurs at 0 (followed by 9, 6, 8); [6] alone occurs later, at 3 (followed by 8).
  const Tokens tokens{5, 6, 9, 6, 8, 5, 6};
  BOOST_TEST(lookup(tokens, 1, 2, 2) == (Tokens{9, 6}), boost::test_tools::per_element());
  BOOST_TEST(lookup(tokens, 1, 1, 2) == (Tokens{8, 5}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_most_recent_earlier_occurrence_wins) {
  // [1] occurs at 0 (then 7) and at 3 (then 8): the later one is proposed.
  BOOST_TEST(lookup({1, 7, 2, 1, 8, 3, 1}, 1, 3, 2) == (Tokens{8, 3}),
             boost::test_tools::per_element());
  // The suffix itself is no occurrence: a sequence with one token matches nothing.
  BOOST_TEST(lookup({4}, 1, 3, 2).empty());
}

BOOST_AUTO_TEST_CASE(k_is_capped_by_the_available_continuation) {
  // [4] at 0 is followed by 5 and the suffix's own 4: two tokens, not five.
  BOOST_TEST(lookup({4, 5, 4}, 1, 1, 5) == (Tokens{5, 4}), boost::test_tools::per_element());
  BOOST_TEST(lookup({1, 2, 3, 1, 2}, 1, 3, 2) == (Tokens{3, 1}), boost::test_tools::per_element());
  BOOST_TEST(lookup({1, 2, 3, 1, 2}, 1, 3, 0).empty());
}

BOOST_AUTO_TEST_CASE(nothing_below_min_n_matches) {
  // [9, 2] never occurred before; [2] did, but min_n = 2 rules it out.
  BOOST_TEST(lookup({1, 2, 9, 2}, 2, 3, 3).empty());
  BOOST_TEST(lookup({1, 2, 9, 2}, 1, 3, 3) == (Tokens{9, 2}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_round_always_gets_k_drafts) {
  // A periodic continuation keeps its period past the end of the sequence.
  BOOST_TEST(
      sim::prompt_lookup_drafts(Tokens{1, 2, 3, 1, 2}, {1, 3}, 6) == (Tokens{3, 1, 2, 3, 1, 2}),
      boost::test_tools::per_element());
  // No match at all: the newest token, repeated.
  BOOST_TEST(sim::prompt_lookup_drafts(Tokens{1, 2, 3}, {1, 3}, 3) == (Tokens{3, 3, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(sim::prompt_lookup_drafts(Tokens{1, 2, 3}, {1, 3}, 0).empty());
}

BOOST_AUTO_TEST_CASE(bad_ranges_are_contract_errors) {
  BOOST_CHECK_THROW(lookup({1, 2}, 0, 2, 1), ContractError);
  BOOST_CHECK_THROW(lookup({1, 2}, 3, 2, 1), ContractError);
  BOOST_CHECK_THROW(lookup({1, 2}, 1, 2, -1), ContractError);
  BOOST_CHECK_THROW(sim::prompt_lookup_drafts(Tokens{}, {1, 2}, 1), ContractError);
}

BOOST_AUTO_TEST_CASE(every_strategy_and_backend_stays_equivalent_with_prompt_lookup) {
  const sim::Scenario base =
      test::load_ready(test::source_path("tests/data/prompt_lookup_repetitive.json"));
  BOOST_TEST_REQUIRE((base.draft.kind == sim::DrafterSpec::Kind::prompt_lookup));
  for (const char* backend : {"cpu", "symbolic"}) {
    for (const auto& strategy : sim::strategy_names()) {
      sim::Scenario s = base;
      s.backend = backend;
      s.strategy = strategy;
      const verify::CheckedRun r = verify::run_checked(s, verify::CheckOptions{});
      const std::string what = std::string(backend) + " / " + strategy;
      BOOST_TEST(r.violation_count == 0, what);
      BOOST_TEST(r.equivalent_sequences == static_cast<int>(s.prompts.size()), what);
      // No draft model: no draft pass ever runs, whatever the strategy.
      BOOST_TEST(r.result.metrics.seconds.draft == 0.0, what);
      if (r.result.metrics.draft_proposed > 0 && std::string(backend) == "cpu")
        BOOST_TEST(r.result.metrics.draft_accepted > 0, what << ": no lookup accepted");
    }
  }
}

}  // namespace lockstep
