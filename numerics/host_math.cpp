#include "numerics/host_math.h"

#include <cmath>
#include <cstring>

#include "sim/hash.h"

namespace lockstep::numerics {

double residual_gain_of_layer(int layer) {
  return kGainResidual * std::pow(kResidualDecay, layer);
}

void build_rope_rows(int head_dim, int from, int to, std::vector<float>& cos,
                     std::vector<float>& sin, double base) {
  const int half = head_dim / 2;
  cos.resize(static_cast<std::size_t>(to) * static_cast<std::size_t>(half));
  sin.resize(cos.size());
  for (int p = from; p < to; ++p) {
    for (int j = 0; j < half; ++j) {
      const double theta = std::pow(base, -2.0 * j / static_cast<double>(head_dim));
      const double angle = static_cast<double>(p) * theta;
      const auto i = static_cast<std::size_t>(p) * static_cast<std::size_t>(half) +
                     static_cast<std::size_t>(j);
      cos[i] = static_cast<float>(std::cos(angle));
      sin[i] = static_cast<float>(std::sin(angle));
    }
  }
}

float attention_score_scale(int head_dim, float k_scale) {
  return static_cast<float>(static_cast<double>(k_scale) /
                            std::sqrt(static_cast<double>(head_dim)));
}

std::uint64_t digest_logits(const float* values, int count) {
  std::uint64_t h = sim::mix64(static_cast<std::uint64_t>(count));
  for (int i = 0; i < count; ++i) {
    std::uint32_t bits;
    std::memcpy(&bits, values + i, sizeof bits);
    h = sim::combine(h, bits);
  }
  return h;
}

std::int32_t argmax_lowest(const float* values, int count) {
  int best = 0;
  for (int t = 1; t < count; ++t) {
    if (values[t] > values[best]) best = t;
  }
  return best;
}

}  // namespace lockstep::numerics
