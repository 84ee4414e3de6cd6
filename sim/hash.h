// Deterministic 64-bit mixing and digests used everywhere a value must be reproducible
// across runs, machines and backends. Not cryptographic: a digest detects accidental
// divergence, it does not resist an adversary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lockstep::sim {

// splitmix64 finalizer: a bijection on 64-bit words with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Order-dependent combination: combine(combine(h, a), b) != combine(combine(h, b), a).
// One mix per call: h is scrambled by an odd multiply (a bijection) before v is added, so
// swapping the order of two values changes the result.
constexpr std::uint64_t combine(std::uint64_t h, std::uint64_t v) {
  return mix64(h * 0xff51afd7ed558ccdULL + v);
}

// FNV-1a over bytes: the canonical digest of serialized text (traces).
class Fnv1a {
 public:
  void update(std::string_view bytes) {
    for (unsigned char c : bytes) {
      state_ ^= c;
      state_ *= 0x100000001b3ULL;
    }
  }
  std::uint64_t value() const { return state_; }

 private:
  std::uint64_t state_ = 0xcbf29ce484222325ULL;
};

// 16 lowercase hex digits, the form every digest takes in traces and summaries.
std::string hex64(std::uint64_t value);

// A uniform draw in [0, 1) keyed on a 64-bit counter: 53 high bits, exact in a double.
constexpr double unit_interval(std::uint64_t key) {
  return static_cast<double>(mix64(key) >> 11) * 0x1.0p-53;
}

}  // namespace lockstep::sim
