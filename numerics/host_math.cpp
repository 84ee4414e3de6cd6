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

sim::LogitTop2 top2_of_row(const float* values, int count, sim::Token best) {
  sim::LogitTop2 t{.best = values[best], .second = values[best], .second_token = best};
  bool found = false;
  for (int j = 0; j < count; ++j) {
    if (j == best || (found && !(values[j] > t.second))) continue;
    t.second = values[j];
    t.second_token = j;
    found = true;
  }
  return t;
}

void build_float_rope_rows(int head_dim, int from, int to, std::vector<float>& cos,
                           std::vector<float>& sin, double base) {
  const int half = head_dim / 2;
  for (int p = from; p < to; ++p) {
    for (int j = 0; j < half; ++j) {
      const auto inv_freq =
          static_cast<float>(std::pow(base, -2.0 * j / static_cast<double>(head_dim)));
      const float angle = static_cast<float>(p) * inv_freq;
      cos.push_back(std::cos(angle));
      sin.push_back(std::sin(angle));
    }
  }
}

std::uint64_t combine_float_kv(std::uint64_t h, const float* k, const float* v, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t kb, vb;
    std::memcpy(&kb, k + i, sizeof kb);
    std::memcpy(&vb, v + i, sizeof vb);
    h = sim::combine(h, static_cast<std::uint64_t>(kb) << 32 | vb);
  }
  return h;
}

}  // namespace lockstep::numerics
