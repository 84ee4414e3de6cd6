// The fixed logit vectors and parameter sets of the sampling golden records
// (tests/golden/sampling_v1.txt, docs/numerics.md §14.5), shared by test_sampling and the
// device twin test (tests/gpu/sample_twins.cpp). Every value below is part of the golden
// contract: changing one changes the records.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "numerics/sampling.h"
#include "sim/hash.h"

namespace lockstep::test {

struct LogitCase {
  std::string name;
  std::vector<float> logits;
};

// Integer-derived values in [-8, 8) with a 1/64 grid, so ties occur (mix64 keyed on `key`).
inline std::vector<float> grid_logits(std::uint64_t key, int count) {
  std::vector<float> v(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    const auto h = sim::mix64(sim::combine(key, static_cast<std::uint64_t>(i)));
    v[static_cast<std::size_t>(i)] = static_cast<float>(static_cast<int>(h % 1024) - 512) / 64.0f;
  }
  return v;
}

inline std::vector<LogitCase> logit_cases() {
  const float big = std::numeric_limits<float>::max();
  std::vector<LogitCase> cases = {
      // ties: three tokens share the maximum, two share 1.0
      {"ties8", {2.0f, 1.0f, 2.0f, 0.5f, 2.0f, -1.0f, 1.0f, 0.0f}},
      // one dominant token, the rest far below
      {"peaked12", {0.0f, 0.1f, 12.0f, -0.3f, 0.2f, 0.0f, -5.0f, 1.0f, 0.4f, -0.0f, 0.3f, 2.0f}},
      // +-0 are one logit; +-FLT_MAX make the difference overflow to -inf (weight 0)
      {"extremes6", {-0.0f, big, 0.0f, -big, big, -1.0e30f}},
  };
  cases.push_back({"grid64", grid_logits(1, 64)});
  cases.push_back({"grid1000", grid_logits(2, 1000)});
  return cases;
}

struct ParamCase {
  std::string name;
  numerics::SamplingParams params;
};

inline std::vector<ParamCase> param_cases() {
  using numerics::kTopKAll;
  return {
      {"greedy", {0.0f, kTopKAll, 1.0}},
      {"t1", {1.0f, kTopKAll, 1.0}},
      {"t0.7", {0.7f, kTopKAll, 1.0}},
      {"t1.5-k5", {1.5f, 5, 1.0}},
      {"t1-p0.9", {1.0f, kTopKAll, 0.9}},
      {"t0.7-k10-p0.8", {0.7f, 10, 0.8}},
      {"t1-k1", {1.0f, 1, 1.0}},
      {"t1-p1e-9", {1.0f, kTopKAll, 1.0e-9}},
      {"t1e-30", {1.0e-30f, kTopKAll, 1.0}},
      {"t100-k3", {100.0f, 3, 1.0}},
  };
}

}  // namespace lockstep::test
