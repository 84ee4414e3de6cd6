// Rejection sampling (issue 14 item 3; docs/strategies.md "Rejection sampling", docs/numerics.md
// §14.8): every strategy x batch 1/4/8 x symbolic and cpu holds I1-I5 (I5 recomputes each
// commit from the distributions and keys), a run repeated gives the same trace, and each
// sequence's output is the same across strategies and batch sizes (keys depend only on seed,
// sequence and position, exact logits on nothing else). Also: the exact accept test and the
// residual pick against a brute-force rational reference (boost::multiprecision), and a
// chi-square smoke test that the first output token over many seeds follows the target's p.
#define BOOST_TEST_MODULE rejection_sampling
#include <boost/multiprecision/cpp_int.hpp>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "numerics/speculative_sampling.h"
#include "reference/cpu_backend.h"
#include "sim/rejection.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/trace_reader.h"
#include "tests/cpu_backend_fixture.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

using boost::multiprecision::cpp_int;
using sim::Token;

sim::Scenario library(const std::string& backend) {
  sim::Scenario s = test::load_ready(test::source_path("scenarios/sampled_rejection.json"));
  s.backend = backend;
  return s;
}

std::string describe(const verify::CheckedRun& run) {
  std::string out = std::to_string(run.violation_count) + " violations";
  if (!run.violations.empty()) {
    const auto& v = run.violations.front();
    out += ", first " + v.invariant + " step " + std::to_string(v.step) + ": " + v.detail;
  }
  return out;
}

// Every strategy at batch 1, 4 and 8: no violation, and the outputs of spec1 at batch 1,
// except rollback at batch > 1, whose rows keep the batch's least accepted count: a position
// that is a bonus draw there can be a judged draft elsewhere (both exact samples of p, from
// different uniforms), so its outputs may differ (docs/strategies.md "Rejection sampling").
void check_every_layout(sim::Scenario s) {
  s.strategy = "spec1";
  s.batch_size = 1;
  const auto want = verify::run_checked(s, {}).result.outputs();
  for (const int batch : {1, 4, 8}) {
    s.batch_size = batch;
    s.window = std::max(s.window, batch);
    for (const auto& strategy : sim::strategy_names()) {
      if (strategy == "ar") continue;
      s.strategy = strategy;
      const verify::CheckedRun run = verify::run_checked(s, {});
      const std::string where = s.backend + " " + strategy + " batch " + std::to_string(batch);
      BOOST_TEST(run.ok(), where << ": " << describe(run));
      BOOST_TEST(run.rejection, where);
      if (strategy == "rollback" && batch > 1) continue;
      BOOST_TEST((run.result.outputs() == want), where << ": outputs differ from spec1 batch 1");
    }
  }
}

BOOST_AUTO_TEST_CASE(model_drafter_every_strategy_batch_and_backend) {
  for (const char* backend : {"symbolic", "cpu"}) check_every_layout(library(backend));
}

// Deterministic proposals (q one-hot): the oracle drafter and prompt lookup.
BOOST_AUTO_TEST_CASE(one_hot_drafters_every_strategy_batch_and_backend) {
  for (const char* backend : {"symbolic", "cpu"}) {
    sim::Scenario s = library(backend);
    s.draft = sim::DrafterSpec{};
    s.draft.kind = sim::DrafterSpec::Kind::oracle;
    s.draft.accept_prob = 0.7;
    s.draft.seed = 11;
    s.draft.model = s.target;
    check_every_layout(s);
    s.draft.kind = sim::DrafterSpec::Kind::prompt_lookup;
    check_every_layout(s);
  }
}

BOOST_AUTO_TEST_CASE(the_same_run_twice_gives_the_same_trace) {
  for (const char* backend : {"symbolic", "cpu"}) {
    for (const auto& strategy : sim::strategy_names()) {
      sim::Scenario s = library(backend);
      s.strategy = strategy;
      const auto first = verify::run_checked(s, {});
      const auto second = verify::run_checked(s, {});
      BOOST_TEST(first.trace_digest == second.trace_digest, backend << " " << strategy);
      BOOST_TEST((first.result.outputs() == second.result.outputs()));
    }
  }
}

// Rejection sampling changes the output (against coupled sampling's, which is sampled AR's),
// and the judgement is in the trace digest.
BOOST_AUTO_TEST_CASE(rejection_differs_from_coupled_and_is_in_the_digest) {
  sim::Scenario s = library("symbolic");
  const auto rejection = verify::run_checked(s, {});
  s.sampling.acceptance = sim::Acceptance::coupled;
  const auto coupled = verify::run_checked(s, {});
  BOOST_TEST(coupled.ok());
  BOOST_TEST((rejection.result.outputs() != coupled.result.outputs()));
  BOOST_TEST(rejection.trace_digest != coupled.trace_digest);
}

// The rejection faults bias the distribution; I5 recomputes each commit by the correct rule,
// so it flags the first commit a faulty rule changed. The small preset with its layer-skip
// drafter at temperature 1 accepts about 40% of its drafts, so every fault fires.
BOOST_AUTO_TEST_CASE(i5_flags_a_commit_a_rejection_fault_changed) {
  sim::Scenario s =
      test::load_ready(test::source_path("scenarios/model_drafter_target_layers.json"));
  s.sampling.params.temperature = 1.0f;
  s.sampling.seed = 1;
  s.sampling.acceptance = sim::Acceptance::rejection;
  BOOST_TEST_REQUIRE(verify::run_checked(s, {}).ok());
  for (const char* fault : {"rejection-residual-unnormalized", "rejection-bonus-from-q",
                            "rejection-accept-if-p-ge-q"}) {
    s.faults = {fault};
    const verify::CheckedRun run = verify::run_checked(s, {});
    BOOST_TEST_REQUIRE(!run.violations.empty(), fault);
    BOOST_TEST(run.violations.front().invariant == "I5", fault << ": " << describe(run));
    BOOST_TEST(
        run.violations.front().detail.find("rejection sampling commits") != std::string::npos,
        fault << ": " << describe(run));
  }
}

// The verify records hold the judgement (sim/trace_schema.h): the judged drafts are the
// accepted ones and at most one rejected, the committed tokens are the accepted drafts then
// the drawn token, probabilities are weight / total with weight <= total; they survive the
// strict reader, and a malformed weight is an error naming the field.
BOOST_AUTO_TEST_CASE(verify_records_hold_the_judgement) {
  sim::Scenario s = library("cpu");
  const auto path = std::filesystem::temp_directory_path() /
                    ("lockstep_rejection_trace_" + std::to_string(::getpid()) + ".jsonl");
  verify::CheckOptions options;
  options.trace_path = path.string();
  BOOST_TEST_REQUIRE(verify::run_checked(s, options).ok());
  const auto trace = sim::trace::read_trace_file(path.string());
  std::filesystem::remove(path);
  int rows = 0, bonuses = 0, residuals = 0;
  std::string one_row;
  for (const auto& record : trace.records) {
    const auto* verify = std::get_if<sim::trace::VerifyRecord>(&record);
    if (verify == nullptr) continue;
    for (const auto& row : verify->rows) {
      ++rows;
      BOOST_TEST_REQUIRE(row.sampled.has_value());
      const auto a = static_cast<std::size_t>(row.accepted);
      BOOST_TEST(row.judged.size() == (a == row.drafts.size() ? a : a + 1));
      for (std::size_t i = 0; i < row.judged.size(); ++i) {
        BOOST_TEST(row.judged[i].draft == row.drafts[i]);
        BOOST_TEST(row.judged[i].accepted == (i < a));
        BOOST_TEST(row.judged[i].p_weight <= row.judged[i].p_total);
        BOOST_TEST(row.judged[i].q_weight > 0u);
      }
      for (std::size_t i = 0; i < a; ++i) BOOST_TEST(row.targets[i] == row.drafts[i]);
      BOOST_TEST(row.targets[a] == row.sampled->token);
      BOOST_TEST((row.sampled->weight > 0 && row.sampled->weight <= row.sampled->total));
      (row.sampled->source == "bonus" ? bonuses : residuals) += 1;
      BOOST_TEST((row.sampled->source == "bonus") == (a == row.drafts.size()));
    }
    if (one_row.empty()) one_row = sim::trace::to_json(record).dump();
  }
  BOOST_TEST(rows > 20);
  BOOST_TEST(bonuses > 0);
  BOOST_TEST(residuals > 0);
  // A weight that is not a decimal string of a 128-bit integer.
  const std::string bad_weight =
      std::regex_replace(one_row, std::regex(R"("weight":"[0-9]+")"), R"("weight":"12x")",
                         std::regex_constants::format_first_only);
  BOOST_TEST_REQUIRE(bad_weight != one_row);
  BOOST_CHECK_EXCEPTION(
      sim::trace::from_json(nlohmann::json::parse(bad_weight), "t.jsonl: line 9", 9), InputError,
      [](const InputError& e) {
        return std::string(e.what()).find("sampled.weight") != std::string::npos;
      });
}

// ---- The exact integer rules against a brute-force rational reference ----

numerics::SampleDistribution random_distribution(std::mt19937_64& rng, int vocab) {
  numerics::SampleDistribution d;
  std::uint64_t running = 0;
  for (int t = 0; t < vocab; ++t) {
    if (rng() % 3 == 0) continue;  // outside the support
    const auto w = static_cast<std::uint32_t>(1 + rng() % numerics::kSampleWeightOne);
    d.tokens.push_back(t);
    d.weights.push_back(w);
    d.cumulative.push_back(running += w);
  }
  if (d.tokens.empty()) d = numerics::one_hot_distribution(static_cast<Token>(rng() % vocab));
  return d;
}

cpp_int big(numerics::WideWeight w) {
  return (cpp_int(static_cast<std::uint64_t>(w >> 64)) << 64) + static_cast<std::uint64_t>(w);
}

const cpp_int kTwo64 = cpp_int(1) << 64;

BOOST_AUTO_TEST_CASE(accept_test_equals_the_rational_comparison) {
  std::mt19937_64 rng(2026);
  for (int trial = 0; trial < 20000; ++trial) {
    const auto p = random_distribution(rng, 6);
    const auto q = random_distribution(rng, 6);
    const Token d = q.tokens[rng() % q.tokens.size()];
    // Uniforms near the edges as well as anywhere.
    const std::uint64_t bits = trial % 4 == 0 ? ~std::uint64_t{0} - rng() % 3 : rng();
    // u < p(d) / q(d) with u = bits / 2^64, as exact rationals.
    const bool want =
        cpp_int(bits) * q.weight_of(d) * p.total() < cpp_int(p.weight_of(d)) * q.total() * kTwo64;
    BOOST_TEST_REQUIRE(
        numerics::accept_draft(p.weight_of(d), p.total(), q.weight_of(d), q.total(), bits) == want);
  }
}

BOOST_AUTO_TEST_CASE(residual_pick_equals_the_rational_inverse_cdf) {
  std::mt19937_64 rng(14);
  int picked = 0;
  for (int trial = 0; trial < 5000; ++trial) {
    const auto p = random_distribution(rng, 7);
    const auto q = random_distribution(rng, 7);
    const auto r = numerics::residual_distribution(p, q);
    // max(0, p(x) - q(x)) scaled by P * Q, over p's support in p's order.
    std::vector<std::pair<Token, cpp_int>> want;
    cpp_int total = 0;
    for (int i = 0; i < p.size(); ++i) {
      const Token x = p.tokens[static_cast<std::size_t>(i)];
      const cpp_int w = cpp_int(p.weights[static_cast<std::size_t>(i)]) * q.total() -
                        cpp_int(q.weight_of(x)) * p.total();
      if (w > 0) want.emplace_back(x, w), total += w;
    }
    BOOST_TEST_REQUIRE(static_cast<int>(want.size()) == r.size());
    BOOST_TEST_REQUIRE((big(r.total()) == total));
    if (total == 0) continue;  // p == q: never rejected, never drawn
    for (int draw = 0; draw < 8; ++draw) {
      const std::uint64_t bits = draw == 0 ? ~std::uint64_t{0} : draw == 1 ? 0 : rng();
      const cpp_int target = cpp_int(bits) * total / kTwo64;  // floor
      cpp_int running = 0;
      Token expected = -1;
      for (const auto& [token, w] : want) {
        running += w;
        if (target < running) {
          expected = token;
          break;
        }
      }
      BOOST_TEST_REQUIRE(numerics::sample_residual(r, bits) == expected);
      ++picked;
    }
  }
  BOOST_TEST(picked > 10000);
}

BOOST_AUTO_TEST_CASE(wide_multiply_high_is_exact_at_the_extremes) {
  const numerics::WideWeight max = ~numerics::WideWeight{0};
  for (const std::uint64_t bits : {std::uint64_t{0}, std::uint64_t{1}, ~std::uint64_t{0}}) {
    for (const numerics::WideWeight a : {numerics::WideWeight{1}, max, max >> 1, max >> 64}) {
      BOOST_TEST((big(numerics::mul_high64_wide(bits, a)) == cpp_int(bits) * big(a) / kTwo64));
    }
  }
}

// ---- The output distribution (a smoke test; the real check is lockstep verify-dist) ----

// Captures the first verify pass's target distribution of output 0 (the first generated
// position of a batch-1 run): p, which does not depend on the sampling seed.
class FirstTarget final : public sim::Observer {
 public:
  void on_forward_padded(sim::ModelRole role, const sim::PaddedBatch&,
                         const sim::ForwardOutput& out) override {
    if (role == sim::ModelRole::target && !out.distributions.empty() && p.size() == 0)
      p = out.distributions.front();
  }
  numerics::SampleDistribution p;
};

// The first output token over `runs` sampling seeds, and the target's p at that position.
std::map<Token, int> first_tokens(sim::Scenario s, int runs, numerics::SampleDistribution& p) {
  std::map<Token, int> counts;
  auto backend = sim::make_backend(s.backend);
  const auto reference = sim::compute_reference(*backend, s);
  for (int seed = 0; seed < runs; ++seed) {
    s.sampling.seed = static_cast<std::uint64_t>(seed);
    FirstTarget watch;
    sim::RunResult result;
    result.sequences = sim::make_sequences(s);
    sim::RunOptions options;
    options.observers.push_back(&watch);
    auto run_backend = sim::make_backend(s.backend);
    sim::run_scenario(*run_backend, s, reference, result, options);
    ++counts[result.outputs().front().front()];
    if (seed == 0) p = watch.p;
  }
  return counts;
}

// Pearson's chi-square of the counts against p, bins with an expected count under 5 merged.
struct ChiSquare {
  double statistic = 0;
  int degrees = 0;
};
ChiSquare chi_square(const std::map<Token, int>& counts, const numerics::SampleDistribution& p,
                     int runs) {
  ChiSquare out;
  double small_expected = 0, small_observed = 0;
  int bins = 0;
  int seen = 0;
  for (int i = 0; i < p.size(); ++i) {
    const Token t = p.tokens[static_cast<std::size_t>(i)];
    const double expected = runs * p.probability(i);
    const double observed = counts.count(t) ? counts.at(t) : 0;
    seen += static_cast<int>(observed);
    if (expected < 5) {
      small_expected += expected;
      small_observed += observed;
      continue;
    }
    out.statistic += (observed - expected) * (observed - expected) / expected;
    ++bins;
  }
  small_observed += runs - seen;  // tokens outside p's support (none in a correct run)
  if (small_expected > 0) {
    out.statistic +=
        (small_observed - small_expected) * (small_observed - small_expected) / small_expected;
    ++bins;
  } else if (small_observed > 0) {
    out.statistic = INFINITY;  // a token p gives probability 0
  }
  out.degrees = bins - 1;
  return out;
}

// The chi-square quantile at 1 - alpha by Wilson-Hilferty (z the normal quantile).
double chi_square_critical(int degrees, double z) {
  const double k = degrees;
  const double c = 1 - 2 / (9 * k) + z * std::sqrt(2 / (9 * k));
  return k * c * c * c;
}

// One prompt, max_new_tokens 1, the symbolic target: the first token is an accepted draft or
// a residual draw, and must follow p, for the draft model (whose candidates barely overlap the
// target's: mostly residual draws) and for the oracle drafter (a one-hot q at a token drawn
// from p itself, accepted with probability p(d)). alpha = 0.001 (z = 3.09): a correct
// implementation fails with probability 0.001 per seed set, and the seeds are fixed, so the
// test is deterministic. The biased rule accept-iff-p>=q never accepts a one-hot draft (p(d)
// < 1), so with the oracle drafter it under-produces likely tokens and is rejected.
BOOST_AUTO_TEST_CASE(first_token_over_many_seeds_follows_p) {
  sim::Scenario s = library("symbolic");
  s.prompts = {{10, 20, 30}};
  s.max_new_tokens = 1;
  s.batch_size = 1;
  s.strategy = "spec1";
  s.sampling.params.top_p = 1.0;  // all 8 of the symbolic model's candidates
  constexpr int kRuns = 4000;
  constexpr double kZ = 3.090;  // alpha = 0.001
  sim::Scenario oracle = s;
  oracle.draft = sim::DrafterSpec{};
  oracle.draft.kind = sim::DrafterSpec::Kind::oracle;
  oracle.draft.accept_prob = 1.0;  // propose the sampled truth (a draw from p)
  oracle.draft.model = s.target;
  for (const sim::Scenario& run : {s, oracle}) {
    numerics::SampleDistribution p;
    const auto counts = first_tokens(run, kRuns, p);
    BOOST_TEST_REQUIRE(p.size() >= 3);
    const ChiSquare fair = chi_square(counts, p, kRuns);
    BOOST_TEST_REQUIRE(fair.degrees >= 2);
    BOOST_TEST(fair.statistic < chi_square_critical(fair.degrees, kZ),
               "chi-square " << fair.statistic << " with " << fair.degrees << " degrees");
    BOOST_TEST_MESSAGE("chi-square " << fair.statistic << " with " << fair.degrees
                                     << " degrees, critical "
                                     << chi_square_critical(fair.degrees, kZ));
  }
  oracle.faults = {"rejection-accept-if-p-ge-q"};
  numerics::SampleDistribution p;
  const ChiSquare biased = chi_square(first_tokens(oracle, kRuns, p), p, kRuns);
  BOOST_TEST(biased.statistic > chi_square_critical(biased.degrees, kZ),
             "the biased rule's chi-square " << biased.statistic);
  BOOST_TEST_MESSAGE("accept iff p >= q: chi-square " << biased.statistic);
}

}  // namespace
}  // namespace lockstep
