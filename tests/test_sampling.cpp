// Sampling (docs/numerics.md §14): the generator, the uniform, the distribution and the draw.
//
// What it checks: Philox-4x32-10 against Random123's published known-answer vectors
// (tests/data/philox4x32_10_kat.txt, from github.com/DEShawResearch/random123
// tests/kat_vectors and tests/old_kat_vectors); the key layout of a draw; the distribution's
// definition (order and ties, temperature, top-k, top-p, renormalization) against independent
// re-computations from the text; greedy = argmax_lowest; the exactness of the pick; every input
// check; and the golden records of tests/golden/sampling_v1.txt, which fail when any pinned
// value changes (regenerate with LOCKSTEP_GOLDEN_OUT=<path> after a deliberate change, review
// the diff, bump the version unless it is a pure addition).
#define BOOST_TEST_MODULE sampling
#include <boost/test/unit_test.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "numerics/host_math.h"
#include "numerics/philox.h"
#include "numerics/sample_draw.h"
#include "numerics/sampling.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/symbolic_sampling.h"
#include "tests/golden_records.h"
#include "tests/sampling_cases.h"

namespace lockstep {
namespace {

namespace nx = numerics;
namespace golden = test::golden;
using Limits = std::numeric_limits<float>;
__extension__ typedef unsigned __int128 u128;  // the test's independent wide arithmetic

// A stored Random123 vector, e.g. philox4x32 10 <ctr x4> <key x2> <expected x4>.
struct Kat {
  nx::PhiloxBlock counter, expected;
  std::uint32_t key0 = 0, key1 = 0;
  std::string line;
};

std::vector<Kat> read_kat_vectors() {
  std::ifstream in(std::string(LOCKSTEP_SOURCE_DIR) + "/tests/data/philox4x32_10_kat.txt");
  BOOST_REQUIRE_MESSAGE(in, "cannot open tests/data/philox4x32_10_kat.txt");
  std::vector<Kat> kats;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string name;
    int rounds = 0;
    words >> name >> rounds;
    BOOST_REQUIRE_MESSAGE(name == "philox4x32" && rounds == 10, "unexpected KAT line: " << line);
    Kat k;
    k.line = line;
    words >> std::hex;
    for (auto& w : k.counter.word) words >> w;
    words >> k.key0 >> k.key1;
    for (auto& w : k.expected.word) words >> w;
    BOOST_REQUIRE_MESSAGE(!words.fail(), "malformed KAT line: " << line);
    kats.push_back(k);
  }
  return kats;
}

constexpr bool same_block(const nx::PhiloxBlock& a, const nx::PhiloxBlock& b) {
  for (int i = 0; i < 4; ++i) {
    if (a.word[i] != b.word[i]) return false;
  }
  return true;
}

// The first vector of Random123's tests/kat_vectors, at compile time: the header is constexpr.
static_assert(same_block(nx::philox4x32_10(nx::PhiloxBlock{{0, 0, 0, 0}}, 0, 0),
                         nx::PhiloxBlock{{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}}));

BOOST_AUTO_TEST_CASE(philox_matches_the_random123_known_answers) {
  const std::vector<Kat> kats = read_kat_vectors();
  BOOST_REQUIRE_EQUAL(kats.size(), 55u);
  for (const Kat& k : kats) {
    const nx::PhiloxBlock got = nx::philox4x32_10(k.counter, k.key0, k.key1);
    BOOST_CHECK_MESSAGE(same_block(got, k.expected),
                        "KAT mismatch: " << k.line << "; got " << std::hex << got.word[0] << " "
                                         << got.word[1] << " " << got.word[2] << " "
                                         << got.word[3]);
  }
}

// §14.1 from the text: key (seed low, seed high), counter (position, sequence, purpose, draw),
// bits = word1 << 32 | word0.
BOOST_AUTO_TEST_CASE(a_draw_is_keyed_as_documented) {
  const std::uint64_t seed = 0x0123456789abcdefULL;
  const auto b = nx::philox4x32_10(nx::PhiloxBlock{{77, 5, 3, 2}}, 0x89abcdefu, 0x01234567u);
  const std::uint64_t expected = (static_cast<std::uint64_t>(b.word[1]) << 32) | b.word[0];
  BOOST_CHECK_EQUAL(nx::sample_bits(seed, 5, 77, nx::SamplePurpose::accept_test, 2), expected);
  const nx::SampleKey key{seed, 5, 77, nx::SamplePurpose::accept_test, 2};
  BOOST_CHECK_EQUAL(nx::key_bits(key), expected);
  // Every field of the key matters.
  const std::uint64_t base = nx::sample_bits(seed, 5, 77, nx::SamplePurpose::target_sample);
  BOOST_CHECK_NE(base,
                 nx::sample_bits(seed + (1ULL << 32), 5, 77, nx::SamplePurpose::target_sample));
  BOOST_CHECK_NE(base, nx::sample_bits(seed, 6, 77, nx::SamplePurpose::target_sample));
  BOOST_CHECK_NE(base, nx::sample_bits(seed, 5, 78, nx::SamplePurpose::target_sample));
  BOOST_CHECK_NE(base, nx::sample_bits(seed, 5, 77, nx::SamplePurpose::draft_sample));
  BOOST_CHECK_NE(base, nx::sample_bits(seed, 5, 77, nx::SamplePurpose::target_sample, 1));
  BOOST_CHECK_THROW(nx::key_bits({seed, -1, 0}), InputError);
  BOOST_CHECK_THROW(nx::key_bits({seed, 0, -3}), InputError);
}

BOOST_AUTO_TEST_CASE(uniform_double_keeps_53_bits_and_never_reaches_one) {
  BOOST_CHECK_EQUAL(nx::uniform_double(0), 0.0);
  BOOST_CHECK_EQUAL(nx::uniform_double(~0ULL), 1.0 - 0x1.0p-53);
  BOOST_CHECK_EQUAL(nx::uniform_double(1ULL << 11), 0x1.0p-53);
  BOOST_CHECK_EQUAL(nx::uniform_double((1ULL << 11) - 1), 0.0);
  BOOST_CHECK_EQUAL(nx::uniform_double(1ULL << 63), 0.5);
}

// The uniforms of consecutive positions are uniform: 16 equal bins of the top 4 bits, chi-square
// with 15 degrees of freedom below 37.7 (p = 0.001) for 64000 draws, for each purpose.
BOOST_AUTO_TEST_CASE(uniform_bits_fill_equal_bins) {
  for (auto purpose : {nx::SamplePurpose::target_sample, nx::SamplePurpose::residual_sample}) {
    std::vector<int> bins(16, 0);
    double sum = 0.0;
    const int draws = 64000;
    for (int pos = 0; pos < draws; ++pos) {
      const std::uint64_t bits = nx::sample_bits(42, 3, static_cast<std::uint32_t>(pos), purpose);
      ++bins[bits >> 60];
      sum += nx::uniform_double(bits);
    }
    double chi2 = 0.0;
    for (int c : bins) chi2 += (c - draws / 16.0) * (c - draws / 16.0) / (draws / 16.0);
    BOOST_CHECK_MESSAGE(chi2 < 37.7, nx::purpose_name(purpose) << ": chi-square " << chi2);
    BOOST_CHECK_CLOSE(sum / draws, 0.5, 1.0);
  }
}

// The facts numerics/sample_draw.h states about weights, over every f32 they cover: no weight
// above 2^24 for an exponent in [-1, 0] (every 97th float there), and none positive for an
// exponent in [-90, -17.5) (every float), the range the host skips sorting.
BOOST_AUTO_TEST_CASE(weight_bounds_hold_where_stated) {
  std::int64_t positive = 0, checked = 0;
  for (float x = -90.0f; x < nx::kSampleZeroBelow; x = std::nextafter(x, 0.0f), ++checked) {
    if (nx::sample_weight(x, 0.0f, 1.0f) != 0) ++positive;
  }
  BOOST_CHECK_EQUAL(positive, 0);
  BOOST_CHECK_GT(checked, 19000000);
  BOOST_CHECK_EQUAL(nx::sample_weight(-17.3286781f, 0.0f, 1.0f), 1u);
  for (std::uint32_t bits = 0x80000000u; bits <= 0xbf800000u; bits += 97) {
    BOOST_REQUIRE_LE(nx::sample_weight(std::bit_cast<float>(bits), 0.0f, 1.0f), 1u << 24);
  }
}

BOOST_AUTO_TEST_CASE(mul_high64_is_the_exact_high_half) {
  const std::uint64_t edges[] = {
      0,     1,         2,          0xffffffffULL,         0x100000000ULL,
      ~0ULL, ~0ULL - 1, 1ULL << 63, 0x8000000000000001ULL, 0xdeadbeefcafef00dULL};
  for (std::uint64_t a : edges) {
    for (std::uint64_t b : edges) {
      BOOST_CHECK_EQUAL(nx::mul_high64(a, b), static_cast<std::uint64_t>((u128{a} * b) >> 64));
    }
  }
  for (std::uint64_t i = 0; i < 20000; ++i) {
    const std::uint64_t a = sim::mix64(2 * i), b = sim::mix64(2 * i + 1) >> (i % 64);
    BOOST_REQUIRE_EQUAL(nx::mul_high64(a, b), static_cast<std::uint64_t>((u128{a} * b) >> 64));
  }
}

// The pick's exact boundaries: bits picks index i iff floor(bits * total / 2^64) lies in
// [cumulative[i - 1], cumulative[i]); the smallest bits reaching cumulative[i] is
// ceil(cumulative[i] * 2^64 / total).
BOOST_AUTO_TEST_CASE(pick_boundaries_are_exact) {
  const std::vector<std::uint64_t> cumulative = {3, 3, 10, 1000003, 1000004, 16777216 + 1000004};
  const int n = static_cast<int>(cumulative.size());
  const u128 total = cumulative.back();
  BOOST_CHECK_EQUAL(nx::sample_pick(cumulative.data(), n, 0), 0);
  BOOST_CHECK_EQUAL(nx::sample_pick(cumulative.data(), n, ~0ULL), n - 1);
  for (int i = 0; i + 1 < n; ++i) {
    if (cumulative[i] == cumulative[i + 1]) continue;
    const u128 boundary = ((u128{cumulative[i]} << 64) + total - 1) / total;
    const auto first = static_cast<std::uint64_t>(boundary);
    int next = i + 1;
    while (cumulative[next] == cumulative[i]) ++next;  // an empty entry is skipped
    BOOST_CHECK_EQUAL(nx::sample_pick(cumulative.data(), n, first - 1), i == 1 ? 0 : i);
    BOOST_CHECK_EQUAL(nx::sample_pick(cumulative.data(), n, first), next);
  }
  BOOST_CHECK_EQUAL(nx::sample_pick(cumulative.data(), 1, ~0ULL), 0);
}

// ---------------------------------------------------------------------------------------------
// The distribution (§14.2), re-computed from the text with other algorithms: a stable full
// sort, 128-bit products for top-p, a plain prefix loop.

nx::SampleDistribution from_the_text(const std::vector<float>& logits,
                                     const nx::SamplingParams& p) {
  const int vocab = static_cast<int>(logits.size());
  nx::SampleDistribution d;
  if (p.temperature == 0.0f) {
    d.tokens = {nx::argmax_lowest(logits.data(), vocab)};
    d.weights = {1u << 24};
    d.cumulative = {1u << 24};
    return d;
  }
  std::vector<std::int32_t> order(logits.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int32_t a, std::int32_t b) { return logits[a] > logits[b]; });
  order.resize(static_cast<std::size_t>(std::min(p.top_k, vocab)));
  std::vector<std::uint32_t> w;
  for (std::int32_t t : order) {
    const float z = (logits[t] - logits[order[0]]) / p.temperature;
    w.push_back(static_cast<std::uint32_t>(std::rint(nx::exp_exact(z) * 16777216.0f)));
  }
  const u128 total = std::accumulate(w.begin(), w.end(), u128{0});
  const u128 units = static_cast<u128>(std::max(1.0, std::rint(p.top_p * 16777216.0)));
  u128 running = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    running += w[i];
    if (w[i] > 0) {
      d.tokens.push_back(order[i]);
      d.weights.push_back(w[i]);
      d.cumulative.push_back(static_cast<std::uint64_t>(running));
    }
    if ((running << 24) >= units * total) break;
  }
  return d;
}

void check_same(const nx::SampleDistribution& a, const nx::SampleDistribution& b,
                const std::string& what) {
  BOOST_CHECK_MESSAGE(a.tokens == b.tokens, what << ": tokens differ");
  BOOST_CHECK_MESSAGE(a.weights == b.weights, what << ": weights differ");
  BOOST_CHECK_MESSAGE(a.cumulative == b.cumulative, what << ": cumulative sums differ");
}

BOOST_AUTO_TEST_CASE(distribution_follows_its_definition) {
  for (const auto& lc : test::logit_cases()) {
    for (const auto& pc : test::param_cases()) {
      const auto got =
          nx::sample_distribution(lc.logits.data(), static_cast<int>(lc.logits.size()), pc.params);
      check_same(got, from_the_text(lc.logits, pc.params), lc.name + " / " + pc.name);
    }
  }
  for (std::uint64_t key = 10; key < 60; ++key) {
    const auto logits = test::grid_logits(key, 1 + static_cast<int>(key % 300));
    const nx::SamplingParams p{0.25f + static_cast<float>(key % 7) * 0.4f,
                               1 + static_cast<int>(key % 40), 0.05 + 0.019 * (key % 50)};
    const auto got = nx::sample_distribution(logits.data(), static_cast<int>(logits.size()), p);
    check_same(got, from_the_text(logits, p), "grid key " + std::to_string(key));
  }
}

// Ties: equal logits are ordered by id and get equal weights; top-k cuts ties by id.
BOOST_AUTO_TEST_CASE(ties_are_ordered_by_token_id) {
  const std::vector<float> logits = {1.0f, 3.0f, 3.0f, -2.0f, 3.0f, 1.0f};
  const auto all = nx::sample_distribution(logits.data(), 6, {1.0f, nx::kTopKAll, 1.0});
  BOOST_CHECK((all.tokens == std::vector<std::int32_t>{1, 2, 4, 0, 5, 3}));
  BOOST_CHECK_EQUAL(all.weights[0], 1u << 24);
  BOOST_CHECK_EQUAL(all.weights[1], all.weights[2]);
  BOOST_CHECK_EQUAL(all.weights[3], all.weights[4]);
  const auto top2 = nx::sample_distribution(logits.data(), 6, {1.0f, 2, 1.0});
  BOOST_CHECK((top2.tokens == std::vector<std::int32_t>{1, 2}));
  BOOST_CHECK_EQUAL(top2.total(), 2u << 24);
  BOOST_CHECK_EQUAL(top2.probability(1), 0.5);
}

// Greedy is argmax_lowest, whatever top-k, top-p and the uniform say; top_k = 1 is too.
BOOST_AUTO_TEST_CASE(greedy_is_todays_argmax) {
  for (std::uint64_t key = 0; key < 200; ++key) {
    const auto logits = test::grid_logits(key, 1 + static_cast<int>(key % 97));
    const int vocab = static_cast<int>(logits.size());
    const std::int32_t argmax = nx::argmax_lowest(logits.data(), vocab);
    const std::uint64_t bits = sim::mix64(key);
    BOOST_REQUIRE_EQUAL(
        nx::sample_token(nx::sample_distribution(logits.data(), vocab, {0.0f, 3, 0.5}), bits),
        argmax);
    BOOST_REQUIRE_EQUAL(
        nx::sample_token(nx::sample_distribution(logits.data(), vocab, {0.8f, 1, 1.0}), bits),
        argmax);
  }
}

BOOST_AUTO_TEST_CASE(top_p_keeps_the_shortest_prefix_reaching_it) {
  const std::vector<float> logits = {0.0f, -0.5f, -1.0f, -1.5f};
  auto kept = [&](double top_p) {
    return nx::sample_distribution(logits.data(), 4, {1.0f, nx::kTopKAll, top_p}).size();
  };
  const auto all = nx::sample_distribution(logits.data(), 4, {1.0f, nx::kTopKAll, 1.0});
  BOOST_REQUIRE_EQUAL(all.size(), 4);
  // The largest top_p (in units of 2^-24) that the first token's weight alone reaches, and
  // the next unit up, which needs the second token too.
  for (int m = 1; m < 4; ++m) {
    const u128 reach = (u128{all.cumulative[static_cast<std::size_t>(m - 1)]} << 24) / all.total();
    const double top_p = static_cast<double>(reach) / 16777216.0;
    BOOST_CHECK_EQUAL(kept(top_p), m);
    BOOST_CHECK_EQUAL(kept(top_p + 1.0 / 16777216.0), m + 1);
  }
  BOOST_CHECK_EQUAL(kept(1e-12), 1);
  BOOST_CHECK_EQUAL(kept(1.0), 4);
  BOOST_CHECK_EQUAL(nx::top_p_units(1e-12), 1u);
  BOOST_CHECK_EQUAL(nx::top_p_units(1.0), 1u << 24);
  BOOST_CHECK_EQUAL(nx::top_p_units(0.5), 1u << 23);
}

// A higher temperature flattens: the top token's probability never grows with it.
BOOST_AUTO_TEST_CASE(temperature_flattens_the_distribution) {
  const auto logits = test::grid_logits(5, 200);
  double previous = 2.0;
  for (float t : {0.1f, 0.25f, 0.5f, 1.0f, 2.0f, 4.0f, 16.0f}) {
    const auto d = nx::sample_distribution(logits.data(), 200, {t, nx::kTopKAll, 1.0});
    BOOST_CHECK_LE(d.probability(0), previous);
    previous = d.probability(0);
  }
  BOOST_CHECK_LT(previous, 0.01);  // near uniform over 200 tokens at T = 16
}

// Draws over consecutive positions follow the distribution: chi-square over the tokens with
// an expected count >= 20 (the rest pooled), below the p = 1e-4 quantile (Wilson-Hilferty).
BOOST_AUTO_TEST_CASE(draws_follow_the_distribution) {
  const auto logits = test::grid_logits(9, 64);
  const auto d = nx::sample_distribution(logits.data(), 64, {1.0f, nx::kTopKAll, 0.95});
  const int draws = 200000;
  std::vector<double> count(static_cast<std::size_t>(d.size()), 0.0);
  for (int pos = 0; pos < draws; ++pos) {
    const auto bits =
        nx::sample_bits(7, 11, static_cast<std::uint32_t>(pos), nx::SamplePurpose::target_sample);
    const auto token = nx::sample_token(d, bits);
    const auto it = std::find(d.tokens.begin(), d.tokens.end(), token);
    BOOST_REQUIRE(it != d.tokens.end());
    count[static_cast<std::size_t>(it - d.tokens.begin())] += 1.0;
  }
  double chi2 = 0.0, pooled_seen = 0.0, pooled_expected = 0.0;
  int bins = 0;
  for (int i = 0; i < d.size(); ++i) {
    const double expected = d.probability(i) * draws;
    if (expected < 20.0) {
      pooled_seen += count[static_cast<std::size_t>(i)];
      pooled_expected += expected;
      continue;
    }
    chi2 += (count[static_cast<std::size_t>(i)] - expected) *
            (count[static_cast<std::size_t>(i)] - expected) / expected;
    ++bins;
  }
  if (pooled_expected > 0.0) {
    chi2 += (pooled_seen - pooled_expected) * (pooled_seen - pooled_expected) / pooled_expected;
    ++bins;
  }
  const double df = bins - 1, z = 3.719;
  const double limit = df * std::pow(1.0 - 2.0 / (9.0 * df) + z * std::sqrt(2.0 / (9.0 * df)), 3);
  BOOST_TEST_MESSAGE("chi-square " << chi2 << " over " << bins << " bins, limit " << limit);
  BOOST_CHECK_GT(bins, 10);
  BOOST_CHECK_LT(chi2, limit);
}

BOOST_AUTO_TEST_CASE(every_input_is_checked) {
  const std::vector<float> ok = {0.0f, 1.0f};
  auto message = [&](std::vector<float> logits, nx::SamplingParams p) -> std::string {
    try {
      nx::sample_distribution(logits.data(), static_cast<int>(logits.size()), p);
    } catch (const InputError& e) {
      return e.what();
    }
    return "(no error)";
  };
  const float nan = Limits::quiet_NaN(), inf = Limits::infinity();
  BOOST_CHECK_NE(message(ok, {-1.0f, 5, 1.0}).find("temperature"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {nan, 5, 1.0}).find("temperature"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {inf, 5, 1.0}).find("temperature"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, 0, 1.0}).find("top_k must be >= 1, got 0"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, -4, 1.0}).find("top_k"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, 5, 0.0}).find("top_p must be in (0, 1]"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, 5, 1.5}).find("top_p"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, 5, -0.2}).find("top_p"), std::string::npos);
  BOOST_CHECK_NE(message(ok, {1.0f, 5, std::nan("")}).find("top_p"), std::string::npos);
  BOOST_CHECK_NE(message({0.0f, nan}, {1.0f, 5, 1.0}).find("token 1"), std::string::npos);
  BOOST_CHECK_NE(message({-inf, 0.0f}, {0.0f, 5, 1.0}).find("token 0"), std::string::npos);
  BOOST_CHECK_EQUAL(message(ok, {0.0f, 1, 1.0}), "(no error)");
  BOOST_CHECK_THROW(nx::sample_distribution(nullptr, 3, {}), ContractError);
  BOOST_CHECK_THROW(nx::sample_token(nx::SampleDistribution{}, 0), ContractError);
}

// A candidate list is the dense row with every other token impossible: its order does not
// matter, and it equals a dense row whose other logits are -FLT_MAX (weight 0).
BOOST_AUTO_TEST_CASE(candidate_lists_equal_dense_rows) {
  const std::vector<std::int32_t> tokens = {40, 7, 19, 3, 25, 11};
  const std::vector<float> logits = {0.5f, 2.0f, 2.0f, -1.0f, 0.5f, 1.25f};
  std::vector<float> dense(50, -Limits::max());
  for (std::size_t i = 0; i < tokens.size(); ++i)
    dense[static_cast<std::size_t>(tokens[i])] = logits[i];
  for (const auto& pc : test::param_cases()) {
    const auto listed = nx::sample_distribution(tokens.data(), logits.data(), 6, pc.params);
    check_same(listed, nx::sample_distribution(dense.data(), 50, pc.params), pc.name + " dense");
    const std::vector<std::int32_t> rt(tokens.rbegin(), tokens.rend());
    const std::vector<float> rl(logits.rbegin(), logits.rend());
    check_same(listed, nx::sample_distribution(rt.data(), rl.data(), 6, pc.params),
               pc.name + " reversed");
  }
  const std::vector<std::int32_t> twice = {4, 9, 4};
  BOOST_CHECK_THROW(nx::sample_distribution(twice.data(), logits.data(), 3, {}), ContractError);
  const std::vector<std::int32_t> negative = {4, -9};
  BOOST_CHECK_THROW(nx::sample_distribution(negative.data(), logits.data(), 2, {}), ContractError);
}

// A vocabulary the size of SmolLM2's at T = 100: every weight is near 2^24 and the sums stay
// exact far past 32 bits.
BOOST_AUTO_TEST_CASE(large_vocabulary_sums_are_exact) {
  const auto logits = test::grid_logits(3, 49152);
  const auto d = nx::sample_distribution(logits.data(), 49152, {100.0f, nx::kTopKAll, 1.0});
  BOOST_CHECK_EQUAL(d.size(), 49152);
  const u128 sum = std::accumulate(d.weights.begin(), d.weights.end(), u128{0});
  BOOST_CHECK(sum == d.total());
  BOOST_CHECK_GT(d.total(), 1ULL << 38);
}

// ---------------------------------------------------------------------------------------------
// Golden records (tests/golden/sampling_v1.txt, docs/numerics.md §14.5). Every case list below
// is part of the contract: adding a case means regenerating the file.

using golden::D;
using golden::F;
using golden::I;
using golden::L;
using golden::Record;
using golden::S;
using golden::U;

const golden::File kSamplingGolden{
    std::string(LOCKSTEP_SOURCE_DIR) + "/tests/golden/sampling_v1.txt",
    {"Golden records of sampling (docs/numerics.md section 14). Generated by",
     "tests/test_sampling.cpp with LOCKSTEP_GOLDEN_OUT; never edit by hand. Format as",
     "numerics_v1.txt: f: binary32 bits, d: binary64 bits, i: integer, u: 64-bit hex, s: word,",
     "t: integer list. Logit vectors and parameter sets: tests/sampling_cases.h."}};

std::vector<Record> weight_records() {
  const float big = Limits::max();
  const float threshold = -17.3286800f;  // near ln(2^-25), where the weight drops to 0
  const std::vector<std::array<float, 3>> cases = {{0.0f, 0.0f, 1.0f},
                                                   {-0.0f, 0.0f, 1.0f},
                                                   {-1.0f, 0.0f, 1.0f},
                                                   {-1.0f, 0.0f, 0.7f},
                                                   {-5.0f, 0.0f, 100.0f},
                                                   {-87.0f, 0.0f, 1.0f},
                                                   {-88.0f, 0.0f, 1.0f},
                                                   {-big, big, 1.0f},
                                                   {-1.0f, 0.0f, 1.0e-30f},
                                                   {0.0f, 0.0f, 1.0e-30f},
                                                   {-1.0e-30f, 0.0f, 1.0e-30f},
                                                   {3.0f, 5.0f, 2.0f},
                                                   {std::nextafter(threshold, 0.0f), 0.0f, 1.0f},
                                                   {threshold, 0.0f, 1.0f},
                                                   {std::nextafter(threshold, -100.0f), 0.0f, 1.0f},
                                                   {-16.6355324f, 0.0f, 1.0f},
                                                   {-0.000001f, 0.0f, 1.0f},
                                                   {-1.0e-8f, 0.0f, 1.0f}};
  std::vector<Record> out;
  for (const auto& [logit, max, t] : cases) {
    out.push_back(
        {"sample_weight", {F(logit), F(max), F(t)}, {I(nx::sample_weight(logit, max, t))}});
  }
  for (double p : {1.0, 0.5, 0.9, 0.95, 1.0e-9, 0x1.0p-25, 0x1.8p-25, 0.999999999}) {
    out.push_back({"top_p_units", {D(p)}, {I(nx::top_p_units(p))}});
  }
  return out;
}

std::vector<Record> generator_records() {
  const nx::SamplePurpose purposes[] = {
      nx::SamplePurpose::target_sample, nx::SamplePurpose::draft_sample,
      nx::SamplePurpose::accept_test, nx::SamplePurpose::residual_sample};
  std::vector<Record> out;
  auto add = [&](std::uint64_t seed, std::int32_t seq, std::int32_t pos, nx::SamplePurpose pu,
                 std::uint32_t draw) {
    const std::uint64_t bits = nx::key_bits({seed, seq, pos, pu, draw});
    out.push_back({"sample_bits",
                   {U(seed), I(seq), I(pos), S(nx::purpose_name(pu)), I(draw)},
                   {U(bits), D(nx::uniform_double(bits))}});
  };
  for (std::uint64_t seed : {0ULL, 0x0123456789abcdefULL}) {
    for (std::int32_t seq : {0, 7}) {
      for (std::int32_t pos : {0, 1, 2147483647}) {
        for (auto pu : purposes) add(seed, seq, pos, pu, 0);
      }
    }
  }
  for (auto pu : purposes) add(42, 3, 100, pu, 1);
  return out;
}

// Small supports in full; larger ones as their size, total and an FNV-1a of (token, weight)
// pairs (4 + 4 little-endian bytes each, in draw order).
std::vector<std::string> distribution_outputs(const nx::SampleDistribution& d) {
  if (d.size() <= 32) return {I(d.size()), U(d.total()), L(d.tokens), L(d.weights)};
  sim::Fnv1a h;
  for (int i = 0; i < d.size(); ++i) {
    const std::uint32_t pair[2] = {
        static_cast<std::uint32_t>(d.tokens[static_cast<std::size_t>(i)]),
        d.weights[static_cast<std::size_t>(i)]};
    h.update(std::string_view(reinterpret_cast<const char*>(pair), sizeof pair));
  }
  return {I(d.size()), U(d.total()), U(h.value())};
}

std::vector<Record> distribution_records() {
  std::vector<Record> out;
  for (const auto& lc : test::logit_cases()) {
    for (const auto& pc : test::param_cases()) {
      const auto d =
          nx::sample_distribution(lc.logits.data(), static_cast<int>(lc.logits.size()), pc.params);
      out.push_back({"distribution", {S(lc.name), S(pc.name)}, distribution_outputs(d)});
      std::vector<std::int32_t> draws;
      for (std::int32_t pos = 0; pos < 16; ++pos) {
        draws.push_back(nx::sample_token(
            d, nx::key_bits({0x5eed, 3, pos, nx::SamplePurpose::target_sample, 0})));
      }
      out.push_back({"draws", {S(lc.name), S(pc.name), U(0x5eed), I(3)}, {L(draws)}});
    }
  }
  return out;
}

// The symbolic backend's distribution (sim/symbolic_sampling.h) for a few states.
std::vector<Record> symbolic_records() {
  std::vector<Record> out;
  const auto params = test::param_cases();
  for (const std::uint64_t state : std::vector<std::uint64_t>{0, 1, 0xdeadbeef, sim::mix64(7)}) {
    for (int vocab : {5, 256, 32000}) {
      for (std::size_t p : {0u, 1u, 5u}) {  // greedy, t1, t0.7-k10-p0.8
        const auto d = sim::symbolic_distribution(state, vocab, params[p].params);
        out.push_back({"symbolic_distribution",
                       {U(state), I(vocab), S(params[p].name)},
                       distribution_outputs(d)});
      }
    }
  }
  return out;
}

BOOST_AUTO_TEST_CASE(golden_records_match) {
  std::vector<Record> records = weight_records();
  for (auto& r : generator_records()) records.push_back(std::move(r));
  for (auto& r : distribution_records()) records.push_back(std::move(r));
  for (auto& r : symbolic_records()) records.push_back(std::move(r));
  golden::check(kSamplingGolden, records);
}

}  // namespace
}  // namespace lockstep
