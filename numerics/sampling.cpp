#include "numerics/sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <string>

#include "numerics/host_math.h"
#include "numerics/sample_draw.h"
#include "sim/error.h"

namespace lockstep::numerics {
namespace {

template <typename T>
std::string text(T value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

// Draw order: logit descending, then token id ascending (a strict total order on finite
// logits, so any sort gives the same sequence; -0 and +0 are equal logits).
struct DrawOrder {
  const float* logits;
  bool operator()(std::int32_t a, std::int32_t b) const {
    if (logits[a] != logits[b]) return logits[a] > logits[b];
    return a < b;
  }
};

// a * 2^24 >= b * c, compared exactly as 128-bit products.
bool scaled_at_least(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t left_hi = a >> 40, left_lo = a << 24;
  const std::uint64_t right_hi = mul_high64(b, c), right_lo = b * c;
  return left_hi != right_hi ? left_hi > right_hi : left_lo >= right_lo;
}

// The length of the shortest prefix whose weight reaches top_p of the whole (top-p).
std::size_t top_p_length(const std::vector<std::uint32_t>& weights, double top_p) {
  const std::uint64_t total = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});
  const std::uint64_t units = top_p_units(top_p);
  std::uint64_t running = 0;
  for (std::size_t m = 0; m < weights.size(); ++m) {
    running += weights[m];
    if (scaled_at_least(running, units, total)) return m + 1;
  }
  return weights.size();  // unreachable: the full sum reaches any top_p <= 1
}

void check_logits(const float* logits, int vocab) {
  require(logits != nullptr && vocab >= 1, "sample_distribution: needs logits and vocab >= 1");
  for (int t = 0; t < vocab; ++t) {
    if (!std::isfinite(logits[t])) {
      throw InputError("sampling: the logit of token " + std::to_string(t) + " is not finite (" +
                       text(logits[t]) + ")");
    }
  }
}

}  // namespace

void check_sampling_params(const SamplingParams& p) {
  if (!(p.temperature >= 0.0f) || std::isinf(p.temperature)) {
    throw InputError("sampling: temperature must be finite and >= 0 (0 means greedy), got " +
                     text(p.temperature));
  }
  if (p.top_k < 1) {
    throw InputError("sampling: top_k must be >= 1, got " + std::to_string(p.top_k));
  }
  if (!(p.top_p > 0.0 && p.top_p <= 1.0)) {
    throw InputError("sampling: top_p must be in (0, 1], got " + text(p.top_p));
  }
}

std::uint32_t top_p_units(double top_p) {
  const double units = std::rint(top_p * 16777216.0);
  return units < 1.0 ? 1u : static_cast<std::uint32_t>(units);
}

double SampleDistribution::probability(int i) const {
  require(i >= 0 && i < size(), "SampleDistribution::probability: index out of range");
  return static_cast<double>(weights[static_cast<std::size_t>(i)]) / static_cast<double>(total());
}

std::uint32_t SampleDistribution::weight_of(std::int32_t token) const {
  const auto it = std::find(tokens.begin(), tokens.end(), token);
  return it == tokens.end() ? 0u : weights[static_cast<std::size_t>(it - tokens.begin())];
}

SampleDistribution sample_distribution(const float* logits, int vocab,
                                       const SamplingParams& params) {
  check_sampling_params(params);
  check_logits(logits, vocab);
  SampleDistribution d;
  if (params.greedy()) {
    d.tokens = {argmax_lowest(logits, vocab)};
    d.weights = {kSampleWeightOne};
  } else {
    const auto k = static_cast<std::size_t>(std::min(params.top_k, vocab));
    std::vector<std::int32_t> order(static_cast<std::size_t>(vocab));
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(),
                      DrawOrder{logits});
    const float max_logit = logits[order[0]];
    std::vector<std::uint32_t> weights(k);
    for (std::size_t i = 0; i < k; ++i) {
      weights[i] = sample_weight(logits[order[i]], max_logit, params.temperature);
    }
    const std::size_t kept = top_p_length(weights, params.top_p);
    for (std::size_t i = 0; i < kept; ++i) {
      if (weights[i] == 0) continue;  // probability 0: never picked, left out of the support
      d.tokens.push_back(order[i]);
      d.weights.push_back(weights[i]);
    }
  }
  std::uint64_t running = 0;  // in 64 bits: std::partial_sum would sum in the weights' 32
  for (const std::uint32_t w : d.weights) d.cumulative.push_back(running += w);
  return d;
}

std::int32_t sample_token(const SampleDistribution& d, std::uint64_t bits) {
  require(d.size() >= 1 && d.cumulative.size() == d.tokens.size() && d.total() > 0,
          "sample_token: the distribution is empty or malformed");
  return d.tokens[static_cast<std::size_t>(sample_pick(d.cumulative.data(), d.size(), bits))];
}

std::uint64_t key_bits(const SampleKey& key) {
  if (key.sequence < 0 || key.position < 0) {
    throw InputError("sampling: sequence id and position must be >= 0, got sequence " +
                     std::to_string(key.sequence) + ", position " + std::to_string(key.position));
  }
  return sample_bits(key.seed, static_cast<std::uint32_t>(key.sequence),
                     static_cast<std::uint32_t>(key.position), key.purpose, key.draw);
}

std::int32_t sample(const float* logits, int vocab, const SamplingParams& params,
                    const SampleKey& key) {
  return sample_token(sample_distribution(logits, vocab, params), key_bits(key));
}

const char* purpose_name(SamplePurpose purpose) {
  switch (purpose) {
    case SamplePurpose::target_sample:
      return "target_sample";
    case SamplePurpose::draft_sample:
      return "draft_sample";
    case SamplePurpose::accept_test:
      return "accept_test";
    case SamplePurpose::residual_sample:
      return "residual_sample";
  }
  throw ContractError("purpose_name: unknown SamplePurpose " +
                      std::to_string(static_cast<std::uint32_t>(purpose)));
}

}  // namespace lockstep::numerics
