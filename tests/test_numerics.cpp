// Golden vectors of the "exact" numerics contract (docs/numerics.md, DESIGN §6).
//
// What it pins: the output bits of every elementwise function of numerics/numerics.h over
// edge cases (zeros of both signs, tiny, denormal, huge and infinite inputs, clamp limits,
// round-half-even ties, exp's range-reduction boundaries), the weight generator, the RoPE
// tables, the fixed scales, and the logits / KV bytes of the `tiny` and `small` models for
// fixed prompts. Expected values live in the versioned golden file tests/golden/numerics_v1.txt
// so that a GPU test can read the very same file (STYLE.md point 8).
//
// How: the cases (function + inputs) are listed here; the test evaluates each with the current
// implementation and compares the output tokens with the golden file, exactly (bits, never a
// tolerance). A missing, stale or drifted record is an error that prints the case, the
// expected and the obtained bits. To (re)generate the file after a deliberate change of the
// contract, run with LOCKSTEP_GOLDEN_OUT=<path> and review the diff before copying it over.
//
// What it does not pin: that the implementation is *good*. The second half of the file holds
// checks that do not depend on our implementation (round-half-even by definition, exp against
// the C library, exactness of the int8 GEMM at its bound); those are quality checks.
//
// Golden file format (one record a line; `#` starts a comment; blank lines ignored):
//   line 1:  lockstep-golden v1
//   record:  <function> <input token>... -> <output token>...
//   last:    end <number of records>
// Tokens carry their type: f:XXXXXXXX binary32 bits, d:XXXXXXXXXXXXXXXX binary64 bits,
// i:<decimal> signed integer, u:XXXXXXXXXXXXXXXX 64-bit unsigned (sim::hex64), s:<word>,
// t:<decimal>,<decimal>,... an integer list.
#define BOOST_TEST_MODULE numerics
#include <boost/test/unit_test.hpp>

#include <array>
#include <bit>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "numerics/host_math.h"
#include "numerics/numerics.h"
#include "numerics/tensor_ids.h"
#include "numerics/weight_generator.h"
#include "reference/cpu_backend.h"
#include "reference/model.h"
#include "reference/ops.h"
#include "reference/weights.h"
#include "sim/hash.h"
#include "sim/model_config.h"
#include "tests/one_row_pass.h"

namespace lockstep {
namespace {

namespace nx = numerics;
using Limits = std::numeric_limits<float>;

constexpr const char* kGoldenHeader = "lockstep-golden v1";
const std::string kGoldenPath = std::string(LOCKSTEP_SOURCE_DIR) + "/tests/golden/numerics_v1.txt";

// ---------------------------------------------------------------------------------------------
// Typed tokens.

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08" PRIx32, v);
  return buf;
}
std::string F(float x) {
  return "f:" + hex32(std::bit_cast<std::uint32_t>(x));
}
std::string D(double x) {
  return "d:" + sim::hex64(std::bit_cast<std::uint64_t>(x));
}
std::string I(std::int64_t v) {
  return "i:" + std::to_string(v);
}
std::string U(std::uint64_t v) {
  return "u:" + sim::hex64(v);
}
std::string S(const std::string& s) {
  return "s:" + s;
}
template <class T>
std::string L(const std::vector<T>& v) {
  std::string out = "t:";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
  return out;
}

// Human-readable rendering of a token, for comments and failure messages.
std::string decode(const std::string& token) {
  char buf[64];
  if (token.rfind("f:", 0) == 0 && token.size() == 10) {
    const auto bits = static_cast<std::uint32_t>(std::stoul(token.substr(2), nullptr, 16));
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(std::bit_cast<float>(bits)));
    return buf;
  }
  if (token.rfind("d:", 0) == 0 && token.size() == 18) {
    const auto bits = static_cast<std::uint64_t>(std::stoull(token.substr(2), nullptr, 16));
    std::snprintf(buf, sizeof buf, "%.17g", std::bit_cast<double>(bits));
    return buf;
  }
  if (token.size() > 2 && token[1] == ':') return token.substr(2);
  return token;
}

struct Record {
  std::string fn;
  std::vector<std::string> in, out;
  std::string key() const {
    std::string k = fn;
    for (const auto& t : in) k += " " + t;
    return k;
  }
  std::string outputs() const {
    std::string s;
    for (const auto& t : out) s += (s.empty() ? "" : " ") + t;
    return s;
  }
  std::string readable_inputs() const {
    std::string s;
    for (const auto& t : in) s += (s.empty() ? "" : ", ") + decode(t);
    return fn + "(" + s + ")";
  }
  static std::string readable(const std::vector<std::string>& tokens) {
    std::string s;
    for (const auto& t : tokens) s += (s.empty() ? "" : ", ") + decode(t);
    return s;
  }
};

// ---------------------------------------------------------------------------------------------
// The cases. Every input list below is part of the golden contract: adding a case means
// regenerating the file (the test reports the new case as missing until then).

float next_up(float x, int steps = 1) {
  for (int i = 0; i < steps; ++i) x = std::nextafter(x, Limits::infinity());
  return x;
}
float next_down(float x, int steps = 1) {
  for (int i = 0; i < steps; ++i) x = std::nextafter(x, -Limits::infinity());
  return x;
}

// The finite floats of [lo, hi] in increasing order, every `stride`-th one (by bit distance).
template <class Fn>
void for_floats(float lo, float hi, std::int64_t stride, Fn&& fn) {
  auto ordered = [](float f) {
    const auto bits = std::bit_cast<std::int32_t>(f);
    return bits < 0 ? -static_cast<std::int64_t>(bits & 0x7fffffff)
                    : static_cast<std::int64_t>(bits);
  };
  auto from_ordered = [](std::int64_t o) {
    return o < 0 ? std::bit_cast<float>(static_cast<std::uint32_t>(-o) | 0x80000000u)
                 : std::bit_cast<float>(static_cast<std::uint32_t>(o));
  };
  for (std::int64_t o = ordered(lo); o <= ordered(hi); o += stride) fn(from_ordered(o));
}

const float kDenorm = Limits::denorm_min();

// Inputs shared by the float -> int family.
std::vector<float> conversion_inputs() {
  std::vector<float> v = {
      0.0f,         -0.0f,    1e-30f,  -1e-30f, kDenorm, -kDenorm, 3 * kDenorm, 1e-40f,
      FLT_MIN,      -FLT_MIN, 1e30f,   -1e30f,  FLT_MAX, -FLT_MAX, 0.5f,        1.5f,
      2.5f,         -0.5f,    -1.5f,   -2.5f,   3.5f,    64.5f,    65.5f,       126.5f,
      -126.5f,      127.0f,   -127.0f, 127.5f,  -127.5f, 128.0f,   -128.0f,     0.49999997f,
      -0.49999997f, 3.7f,     -3.7f,   1e10f,   -1e10f};
  v.push_back(next_down(127.5f));
  v.push_back(next_up(-127.5f));
  v.push_back(next_down(126.5f));
  v.push_back(next_up(126.5f));
  v.push_back(next_up(0.5f));
  return v;
}

// exp_exact inputs: a grid over [-90, 89], the clamp and underflow edges, the range-reduction
// boundaries (x * log2(e) rounding to a tie k + 1/2), and a few pseudo-random points.
std::vector<float> exp_inputs() {
  std::vector<float> v;
  for (int i = -180; i <= 178; ++i) v.push_back(static_cast<float>(i) * 0.5f);
  for (float x : {-87.0001f,
                  -87.0f,
                  -86.99f,
                  88.0f,
                  88.5f,
                  88.0001f,
                  -88.0f,
                  87.9999f,
                  -1e30f,
                  1e30f,
                  -FLT_MAX,
                  FLT_MAX,
                  Limits::infinity(),
                  -Limits::infinity(),
                  1e-30f,
                  -1e-30f,
                  kDenorm,
                  -kDenorm,
                  1e-40f,
                  -0.0f,
                  1e-7f,
                  -1e-7f,
                  0.1f,
                  -0.1f,
                  0.6931472f,
                  -0.6931472f}) {
    v.push_back(x);
  }
  v.push_back(next_down(-87.0f));
  v.push_back(next_up(-87.0f));
  v.push_back(next_up(88.0f));
  // The float x with x * 1.44269502f == k + 0.5 exactly, where n = rint(.) switches.
  for (float x : {0x1.62e43p-2f, -0x1.62e43p-2f, 0x1.0a2b24p+0f, -0x1.0a2b24p+0f}) {
    for (int d = -2; d <= 2; ++d) v.push_back(d < 0 ? next_down(x, -d) : next_up(x, d));
  }
  for (std::uint64_t i = 0; i < 48; ++i) {
    v.push_back(static_cast<float>(-87.0 + 175.0 * sim::unit_interval(0xe4b0000 + i)));
  }
  return v;
}

std::vector<Record> elementwise_records() {
  std::vector<Record> r;
  const float kv = reference::Model::kKvScale;
  for (float x : conversion_inputs()) r.push_back({"round_even", {F(x)}, {F(nx::round_even(x))}});
  for (float x : conversion_inputs()) r.push_back({"to_int8", {F(x)}, {I(nx::to_int8(x))}});
  r.push_back({"to_int8", {F(Limits::infinity())}, {I(nx::to_int8(Limits::infinity()))}});
  r.push_back({"to_int8", {F(-Limits::infinity())}, {I(nx::to_int8(-Limits::infinity()))}});
  r.push_back({"to_int8", {F(Limits::quiet_NaN())}, {I(nx::to_int8(Limits::quiet_NaN()))}});
  r.push_back({"to_int8", {F(-Limits::quiet_NaN())}, {I(nx::to_int8(-Limits::quiet_NaN()))}});

  for (float a : {0.0f, -0.0f, kDenorm, 63 * kDenorm, 64 * kDenorm, 127 * kDenorm, FLT_MIN, 1e-30f,
                  1e-3f, 1.0f, 3.14159274f, 127.0f, 254.0f, 1e30f, FLT_MAX}) {
    r.push_back({"activation_scale", {F(a)}, {F(nx::activation_scale(a))}});
  }

  for (float scale : {1.0f, kv, nx::activation_scale(1.0f), nx::activation_scale(3.0f), 1e-30f}) {
    for (float x : {0.0f, -0.0f, kDenorm, 1e-30f, 0.3f, -0.3f, 1.0f, -1.0f, 2.9f, -3.0f, 4.0f,
                    -4.0f, 4.1f, 1e30f, -FLT_MAX}) {
      r.push_back({"quantize", {F(x), F(scale)}, {I(nx::quantize(x, scale))}});
    }
  }
  for (auto [x, scale] :
       {std::pair{0.0f, 0.0f}, {1.0f, 0.0f}, {-1.0f, 0.0f}, {kDenorm, kDenorm}, {kDenorm, 0.0f}}) {
    r.push_back({"quantize", {F(x), F(scale)}, {I(nx::quantize(x, scale))}});
  }

  const std::vector<std::pair<float, float>> scale_pairs = {
      {1.0f, 1.0f},  {kv, 0.0123f},   {1e-20f, 1e-20f},  {1e-30f, 1e-30f},
      {3e38f, 1.0f}, {kDenorm, 1.0f}, {0.0017f, 0.0421f}};
  for (auto [cs, ts] : scale_pairs) {
    for (std::int32_t acc :
         {0, 1, -1, 127, -127, 16129, 16777217, -16777217, 33554435, 2114060288,
          std::numeric_limits<std::int32_t>::max(), std::numeric_limits<std::int32_t>::min()}) {
      r.push_back({"dequantize", {I(acc), F(cs), F(ts)}, {F(nx::dequantize(acc, cs, ts))}});
    }
  }

  const std::vector<std::pair<std::int64_t, int>> rms_cases = {{0, 64},
                                                               {64LL * 16129, 64},
                                                               {1, 1},
                                                               {1, 131072},
                                                               {16129LL * 131072, 131072},
                                                               {2147483647, 131072},
                                                               {16777217, 1},
                                                               {123456789, 256},
                                                               {1, 64},
                                                               {9 * 64, 64},
                                                               {4096, 4096},
                                                               {1000000, 768}};
  for (auto [sum, d] : rms_cases)
    r.push_back({"rms_factor", {I(sum), I(d)}, {F(nx::rms_factor(sum, d))}});

  for (float x : exp_inputs()) r.push_back({"exp_exact", {F(x)}, {F(nx::exp_exact(x))}});

  for (float g : {0.0f,
                  -0.0f,
                  kDenorm,
                  -kDenorm,
                  1e-40f,
                  -1e-40f,
                  1e-30f,
                  -1e-30f,
                  0.5f,
                  -0.5f,
                  1.0f,
                  -1.0f,
                  2.0f,
                  -2.0f,
                  5.0f,
                  -5.0f,
                  10.0f,
                  -10.0f,
                  20.0f,
                  -20.0f,
                  50.0f,
                  -50.0f,
                  -86.0f,
                  -87.0f,
                  -87.5f,
                  -88.0f,
                  -88.5f,
                  -89.0f,
                  -100.0f,
                  86.0f,
                  87.0f,
                  87.5f,
                  88.0f,
                  100.0f,
                  1e30f,
                  -1e30f,
                  FLT_MAX,
                  -FLT_MAX,
                  Limits::infinity(),
                  -Limits::infinity()}) {
    r.push_back({"silu", {F(g)}, {F(nx::silu(g))}});
  }

  const float c1 = static_cast<float>(std::cos(1.0)), s1 = static_cast<float>(std::sin(1.0));
  const std::vector<std::array<float, 4>> rope_cases = {
      {1.0f, 0.0f, 1.0f, 0.0f},
      {1.0f, 0.0f, 0.0f, 1.0f},
      {0.6f, 0.8f, c1, s1},
      {-0.0f, 0.0f, 1.0f, 0.0f},
      {0.0f, -0.0f, 0.0f, 1.0f},
      {1e30f, 1e30f, 0.7f, 0.7f},
      {FLT_MAX, FLT_MAX, 0.7f, 0.7f},
      {kDenorm, kDenorm, 0.5f, 0.5f},
      {3.5f, -2.25f, c1, -s1},
      {1e-30f, -1e-30f, c1, s1},
      {123.456f, -0.001f, -0.4161468f, 0.9092974f}};
  for (const auto& c : rope_cases) {
    float x0 = c[0], x1 = c[1];
    nx::rope_rotate(x0, x1, c[2], c[3]);
    r.push_back({"rope_rotate", {F(c[0]), F(c[1]), F(c[2]), F(c[3])}, {F(x0), F(x1)}});
  }

  std::vector<std::pair<float, float>> softmax_cases = {
      {0.0f, 0.0f},  {5.0f, 5.0f},   {-1.0f, 0.0f},   {-0.5f, 0.0f},   {-5.5f, 0.0f},
      {-6.0f, 0.0f}, {-80.0f, 0.0f}, {-87.0f, 0.0f},  {-88.0f, 0.0f},  {-1e30f, 0.0f},
      {0.0f, 1e30f}, {1.0f, 1e-30f}, {-3e38f, 3e38f}, {-0.25f, 0.75f}, {2.0f, 2.5f}};
  // Scores whose weight 127 * exp(s) sits next to a rounding tie k + 1/2 (k = 126, 1, 0).
  for (double tie : {126.5, 1.5, 0.5}) {
    const float s = static_cast<float>(std::log(tie / 127.0));
    for (int d = -2; d <= 2; ++d)
      softmax_cases.push_back({d < 0 ? next_down(s, -d) : next_up(s, d), 0.0f});
  }
  for (auto [score, mx] : softmax_cases) {
    r.push_back({"softmax_weight", {F(score), F(mx)}, {I(nx::softmax_weight(score, mx))}});
  }

  const std::vector<std::tuple<std::int32_t, std::int32_t, float>> attn_cases = {
      {0, 0, kv},
      {100, 0, kv},
      {127 * 5, 127, kv},
      {-127 * 127, 127, kv},
      {1, 3, kv},
      {2147483647, 16646144, kv},
      {-2147483647, 16646144, kv},
      {16777217, 3, 1.0f},
      {7, 7, kv},
      {-5, 254, kv},
      {0, 127, kv}};
  for (auto [ws, norm, vs] : attn_cases) {
    r.push_back(
        {"attention_output", {I(ws), I(norm), F(vs)}, {F(nx::attention_output(ws, norm, vs))}});
  }
  return r;
}

// The scale the model uses to turn an integer score into a float (reference/model.cpp).
float score_scale(int head_dim) {
  return static_cast<float>(static_cast<double>(reference::Model::kKvScale) /
                            std::sqrt(static_cast<double>(head_dim)));
}

// FNV-1a over the little-endian bytes of each value (the in-memory bytes on x86 and CUDA).
template <class T>
std::uint64_t fnv_le(const T* values, std::size_t count) {
  sim::Fnv1a h;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t bits = 0;
    if constexpr (sizeof(T) == 4) {
      bits = std::bit_cast<std::uint32_t>(values[i]);
    } else if constexpr (sizeof(T) == 8) {
      bits = std::bit_cast<std::uint64_t>(values[i]);
    } else {
      bits = static_cast<std::uint8_t>(values[i]);
    }
    char bytes[sizeof(T)];
    for (std::size_t b = 0; b < sizeof(T); ++b)
      bytes[b] = static_cast<char>((bits >> (8 * b)) & 0xff);
    h.update(std::string_view(bytes, sizeof(T)));
  }
  return h.value();
}

// The RoPE table exactly as docs/numerics.md defines it (and reference/model.cpp builds it):
// cos then sin, each [positions, D/2] row-major; returns the FNV-1a of their bytes.
std::uint64_t rope_table_digest(int head_dim, int positions) {
  const int half = head_dim / 2;
  std::vector<float> cos_table, sin_table;
  for (int p = 0; p < positions; ++p) {
    for (int j = 0; j < half; ++j) {
      const double theta = std::pow(10000.0, -2.0 * j / static_cast<double>(head_dim));
      const double angle = static_cast<double>(p) * theta;
      cos_table.push_back(static_cast<float>(std::cos(angle)));
      sin_table.push_back(static_cast<float>(std::sin(angle)));
    }
  }
  cos_table.insert(cos_table.end(), sin_table.begin(), sin_table.end());
  return fnv_le(cos_table.data(), cos_table.size());
}

std::vector<Record> generator_records() {
  std::vector<Record> r;
  for (std::uint64_t x : {0ULL, 1ULL, 0x9e3779b97f4a7c15ULL, ~0ULL, 1ULL << 62})
    r.push_back({"mix64", {U(x)}, {U(sim::mix64(x))}});
  for (auto [h, v] : {std::pair{0ULL, 0ULL}, {1ULL, 2ULL}, {2ULL, 1ULL}, {~0ULL, 1ULL << 62}}) {
    r.push_back({"combine", {U(h), U(v)}, {U(sim::combine(h, v))}});
  }
  for (int kind = 0; kind <= 8; ++kind) {
    for (int layer : {-1, 0, 1, 31}) {
      r.push_back({"tensor_id",
                   {I(kind), I(layer)},
                   {U(numerics::tensor_id(static_cast<numerics::TensorKind>(kind), layer))}});
    }
  }
  const std::uint64_t wq0 = numerics::tensor_id(numerics::TensorKind::wq, 0);
  for (std::uint64_t seed : {1ULL, 7ULL}) {
    for (std::uint64_t index : {0ULL, 1ULL, 2ULL, 63ULL, 4095ULL, 1ULL << 40}) {
      r.push_back({"weight_value",
                   {U(seed), U(wq0), U(index)},
                   {I(numerics::weight_value(seed, wq0, index))}});
    }
    for (std::uint64_t channel : {0ULL, 1ULL, 255ULL}) {
      for (auto [k, gain] : {std::pair{64, 73.0}, {256, 292.0}, {64, 18.25}, {11008, 73.0}}) {
        r.push_back({"channel_scale",
                     {U(seed), U(wq0), U(channel), I(k), D(gain)},
                     {F(numerics::channel_scale(seed, wq0, channel, k, gain))}});
      }
    }
  }
  // Whole tensors of `tiny` (seed 1) with the gains of docs/numerics.md §8: FNV-1a of the
  // int8 values (row-major) and of the scales.
  reference::WeightStore store;
  struct Tensor {
    numerics::TensorKind kind;
    int layer, rows, cols;
    double gain;
  };
  using enum numerics::TensorKind;
  const Tensor tensors[] = {{.kind = embedding, .layer = -1, .rows = 256, .cols = 64, .gain = 73.0},
                            {.kind = lm_head, .layer = -1, .rows = 256, .cols = 64, .gain = 18.25},
                            {.kind = wq, .layer = 0, .rows = 64, .cols = 64, .gain = 73.0},
                            {.kind = wo, .layer = 1, .rows = 64, .cols = 64, .gain = 584.0},
                            {.kind = wd, .layer = 1, .rows = 64, .cols = 128, .gain = 584.0}};
  for (const auto& [kind, layer, rows, cols, gain] : tensors) {
    const auto id = numerics::tensor_id(kind, layer);
    const auto m = store.get(1, id, rows, cols, gain);
    std::vector<std::int8_t> values;
    for (int i = 0; i < rows; ++i) {
      for (int j = 0; j < cols; ++j) values.push_back(static_cast<std::int8_t>(m->values(i, j)));
    }
    r.push_back(
        {"weight_tensor",
         {U(1), U(id), I(rows), I(cols), D(gain)},
         {U(fnv_le(values.data(), values.size())), U(fnv_le(m->scales.data(), m->scales.size()))}});
  }
  r.push_back({"kv_scale", {}, {F(reference::Model::kKvScale)}});
  for (int dh : {16, 32, 64, 128}) r.push_back({"score_scale", {I(dh)}, {F(score_scale(dh))}});
  for (auto [dh, positions] : {std::pair{16, 64}, {32, 64}, {64, 4096}, {128, 4096}}) {
    r.push_back({"rope_table", {I(dh), I(positions)}, {U(rope_table_digest(dh, positions))}});
  }
  return r;
}

// One packed forward of `tokens` at positions 0.. into an empty row (kv_extent 0).
struct ModelRun {
  std::vector<float> logits;  // [N, V]
  std::vector<sim::Token> argmax;
  std::vector<std::uint64_t> digests;
  std::uint64_t kv = 0;
};

ModelRun run_model(const std::string& preset, std::uint64_t seed, int capacity,
                   const std::vector<sim::Token>& tokens) {
  reference::CpuBackend backend;
  backend.keep_logits(true);
  const auto cache = backend.create_cache(sim::preset(preset, seed), 1, capacity);
  const auto out = backend.forward_packed(test::one_row_pass(cache, tokens));
  ModelRun run;
  run.logits = backend.last_logits();
  run.argmax = out.argmax;
  run.digests = out.digest;
  run.kv = backend.kv_digest(cache, 0, 0, static_cast<int>(tokens.size()));
  return run;
}

std::vector<sim::Token> model_prompt(const std::string& preset) {
  std::vector<sim::Token> t;
  if (preset == "tiny") {
    for (int i = 1; i <= 16; ++i) t.push_back(i);
  } else {
    for (int i = 0; i < 32; ++i) t.push_back((37 * i + 11) % 512);
  }
  return t;
}

// model <preset> <seed> <capacity> <prompt> -> <FNV-1a of all logits bytes [N, V]>
//   <argmax list> <FNV-1a of the per-token digests> <kv_digest of the row's N slots>
std::vector<Record> model_records() {
  std::vector<Record> r;
  for (const std::string preset : {"tiny", "small"}) {
    const auto prompt = model_prompt(preset);
    const ModelRun run = run_model(preset, 1, 64, prompt);
    r.push_back({"model",
                 {S(preset), U(1), I(64), L(prompt)},
                 {U(fnv_le(run.logits.data(), run.logits.size())), L(run.argmax),
                  U(fnv_le(run.digests.data(), run.digests.size())), U(run.kv)}});
  }
  return r;
}

// Every case once, in listing order (the input lists overlap at a few points, e.g. -87).
std::vector<Record> all_records() {
  std::vector<Record> all = elementwise_records();
  for (auto& x : generator_records()) all.push_back(std::move(x));
  for (auto& x : model_records()) all.push_back(std::move(x));
  std::vector<Record> unique;
  std::map<std::string, bool> seen;
  for (auto& rec : all) {
    if (!seen.emplace(rec.key(), true).second) continue;
    unique.push_back(std::move(rec));
  }
  return unique;
}

// ---------------------------------------------------------------------------------------------
// Reading and writing the golden file.

std::string format_record(const Record& rec) {
  std::string line = rec.key() + " -> " + rec.outputs();
  const std::string human = Record::readable(rec.in) + " -> " + Record::readable(rec.out);
  if (rec.fn != "model" && human.size() < 160) line += "  # " + human;
  return line;
}

void write_golden(const std::string& path, const std::vector<Record>& records) {
  std::ofstream out(path);
  BOOST_REQUIRE_MESSAGE(out, "cannot write " << path);
  out << kGoldenHeader << "\n";
  out << "# Golden vectors of the exact numerics contract (docs/numerics.md). Generated by\n"
         "# tests/test_numerics.cpp with LOCKSTEP_GOLDEN_OUT; never edit by hand. Format:\n"
         "#   <function> <inputs> -> <outputs>; f: binary32 bits, d: binary64 bits, i: integer,\n"
         "#   u: 64-bit hex, s: word, t: integer list. Text after # is a readable rendering.\n";
  for (const auto& rec : records) out << format_record(rec) << "\n";
  out << "end " << records.size() << "\n";
}

struct Golden {
  std::map<std::string, std::vector<std::string>> outputs;  // key -> output tokens
  std::size_t declared = 0;
};

Golden read_golden(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot open the golden file " << path);
  std::string line;
  BOOST_REQUIRE_MESSAGE(
      std::getline(in, line) && line == kGoldenHeader,
      path << ": first line must be '" << kGoldenHeader << "', got '" << line << "'");
  Golden g;
  bool ended = false;
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    std::istringstream words(line);
    std::vector<std::string> tokens;
    for (std::string w; words >> w;) tokens.push_back(w);
    if (tokens.empty()) continue;
    BOOST_REQUIRE_MESSAGE(!ended, path << ":" << number << ": record after the 'end' line");
    if (tokens[0] == "end") {
      BOOST_REQUIRE_MESSAGE(tokens.size() == 2, path << ":" << number << ": malformed end line");
      g.declared = std::stoul(tokens[1]);
      ended = true;
      continue;
    }
    Record rec;
    rec.fn = tokens[0];
    std::size_t i = 1;
    for (; i < tokens.size() && tokens[i] != "->"; ++i) rec.in.push_back(tokens[i]);
    BOOST_REQUIRE_MESSAGE(i < tokens.size(), path << ":" << number << ": no '->' in record");
    for (++i; i < tokens.size(); ++i) rec.out.push_back(tokens[i]);
    BOOST_REQUIRE_MESSAGE(g.outputs.emplace(rec.key(), rec.out).second,
                          path << ":" << number << ": duplicate record " << rec.key());
  }
  BOOST_REQUIRE_MESSAGE(ended, path << ": no 'end <count>' line: the file is truncated");
  BOOST_REQUIRE_MESSAGE(g.declared == g.outputs.size(), path << ": 'end " << g.declared << "' but "
                                                             << g.outputs.size() << " records");
  return g;
}

// ---------------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(floating_point_environment_is_ieee) {
  BOOST_REQUIRE_NO_THROW(reference::check_fp_environment());
  volatile float tiny = kDenorm;
  BOOST_REQUIRE(tiny * 2.0f != 0.0f);
#if defined(FLT_EVAL_METHOD)
  static_assert(FLT_EVAL_METHOD == 0,
                "float expressions must be evaluated in float (SSE), not x87 extended");
#endif
}

BOOST_AUTO_TEST_CASE(golden_vectors_match_bit_for_bit) {
  const std::vector<Record> records = all_records();
  if (const char* out = std::getenv("LOCKSTEP_GOLDEN_OUT")) {
    write_golden(out, records);
    BOOST_TEST_MESSAGE("wrote " << records.size() << " golden records to " << out);
  }
  const Golden golden = read_golden(kGoldenPath);
  std::map<std::string, bool> seen;
  int drifted = 0, missing = 0;
  for (const auto& rec : records) {
    seen[rec.key()] = true;
    const auto it = golden.outputs.find(rec.key());
    if (it == golden.outputs.end()) {
      ++missing;
      BOOST_ERROR("case missing from "
                  << kGoldenPath
                  << " (regenerate with LOCKSTEP_GOLDEN_OUT and review): " << format_record(rec));
      continue;
    }
    if (it->second != rec.out) {
      ++drifted;
      BOOST_ERROR("DRIFT in " << rec.readable_inputs() << "\n    inputs   " << rec.key()
                              << "\n    expected " << Record::readable(it->second) << "  [" <<
                  [&] {
                    std::string s;
                    for (const auto& t : it->second) s += t + " ";
                    return s;
                  }() << "]\n    got      "
                              << Record::readable(rec.out) << "  [" << rec.outputs() << " ]");
    }
  }
  for (const auto& [key, out] : golden.outputs) {
    if (!seen.count(key)) BOOST_ERROR("stale golden record (no such case in the test): " << key);
  }
  BOOST_TEST_MESSAGE(records.size()
                     << " golden records, " << drifted << " drifted, " << missing << " missing");
}

// Style point 9: run, rerun in a fresh backend, require identical bytes.
BOOST_AUTO_TEST_CASE(model_logits_replay_identically) {
  for (const std::string preset : {"tiny", "small"}) {
    const auto prompt = model_prompt(preset);
    const ModelRun a = run_model(preset, 1, 64, prompt);
    const ModelRun b = run_model(preset, 1, 200, prompt);  // capacity must not matter either
    BOOST_REQUIRE_EQUAL(a.logits.size(),
                        prompt.size() * static_cast<std::size_t>(sim::preset(preset, 1).vocab));
    BOOST_CHECK(fnv_le(a.logits.data(), a.logits.size()) ==
                fnv_le(b.logits.data(), b.logits.size()));
    BOOST_CHECK(a.argmax == b.argmax);
    BOOST_CHECK(a.digests == b.digests);
    BOOST_CHECK_EQUAL(a.kv, b.kv);
    for (float x : a.logits) BOOST_REQUIRE(std::isfinite(x));
  }
}

// ---------------------------------------------------------------------------------------------
// Checks that do not depend on our implementation: definitions and quality bounds.

BOOST_AUTO_TEST_CASE(round_half_even_by_definition) {
  struct Case {
    float in;
    int out;
  };
  // IEEE-754 roundTiesToEven, then the [-127, 127] clamp; values known by definition.
  const Case cases[] = {{0.5f, 0},       {1.5f, 2},       {2.5f, 2},        {3.5f, 4},
                        {-0.5f, 0},      {-1.5f, -2},     {-2.5f, -2},      {126.5f, 126},
                        {-126.5f, -126}, {125.5f, 126},   {127.5f, 127},    {-127.5f, -127},
                        {128.0f, 127},   {-128.0f, -127}, {0.49999997f, 0}, {1e30f, 127},
                        {-1e30f, -127},  {0.0f, 0},       {-0.0f, 0},       {kDenorm, 0},
                        {-kDenorm, 0},   {FLT_MAX, 127},  {-FLT_MAX, -127}};
  for (const auto& c : cases) {
    BOOST_CHECK_MESSAGE(nx::to_int8(c.in) == c.out, "to_int8(" << c.in
                                                               << ") = " << int{nx::to_int8(c.in)}
                                                               << ", want " << c.out);
  }
  BOOST_CHECK_EQUAL(int{nx::to_int8(Limits::infinity())}, 127);
  BOOST_CHECK_EQUAL(int{nx::to_int8(-Limits::infinity())}, -127);
  BOOST_CHECK_EQUAL(int{nx::to_int8(Limits::quiet_NaN())}, 0);
  BOOST_CHECK_EQUAL(std::bit_cast<std::uint32_t>(nx::round_even(-0.5f)), 0x80000000u);  // -0
  BOOST_CHECK_EQUAL(nx::round_even(2.5f), 2.0f);
  BOOST_CHECK_EQUAL(nx::round_even(-3.5f), -4.0f);
}

BOOST_AUTO_TEST_CASE(to_int8_stays_in_range_and_is_monotone) {
  // Every 65537th bit pattern (both signs, all exponents) plus the neighbourhood of each clamp.
  for (std::uint64_t bits = 0; bits <= 0xffffffffULL; bits += 65537) {
    const float x = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    const int q = nx::to_int8(x);
    if (q < -127 || q > 127)
      BOOST_FAIL("to_int8(bits " << hex32(static_cast<std::uint32_t>(bits)) << ") = " << q);
  }
  int previous = -127;
  std::int64_t checked = 0;
  for_floats(-130.0f, 130.0f, 97, [&](float x) {
    const int q = nx::to_int8(x);
    if (q < previous) BOOST_FAIL("to_int8 decreases at " << x);
    if (q < -127 || q > 127) BOOST_FAIL("to_int8(" << x << ") = " << q);
    previous = q;
    ++checked;
  });
  BOOST_CHECK_GT(checked, 1000000);
}

// Distance in units in the last place between two finite floats of the same sign.
std::int64_t ulp_distance(float a, float b) {
  auto ordered = [](float f) {
    const auto bits = std::bit_cast<std::int32_t>(f);
    return bits < 0 ? -static_cast<std::int64_t>(bits & 0x7fffffff)
                    : static_cast<std::int64_t>(bits);
  };
  return std::llabs(ordered(a) - ordered(b));
}

// A quality check, not an exactness check: the contract defines exp_exact by its operations,
// not by closeness to exp. An exhaustive run over every float in [-87, 88] (docs/numerics.md)
// measured at most 3 ulp against the correctly rounded exp (degree-6 Taylor polynomial on
// |r| <= ln2/2: truncation alone is up to ~2 ulp near r = -ln2/2); we check that bound on a
// dense sample, so a change that makes exp worse fails here even if the golden file is updated.
BOOST_AUTO_TEST_CASE(exp_exact_is_close_to_exp) {
  std::int64_t worst = 0;
  float worst_x = 0;
  auto check = [&](float x) {
    const float got = nx::exp_exact(x);
    const float want = static_cast<float>(std::exp(static_cast<double>(x)));
    const auto d = ulp_distance(got, want);
    if (d > worst) worst = d, worst_x = x;
    BOOST_REQUIRE_MESSAGE(
        d <= 3, "exp_exact(" << x << " = " << hex32(std::bit_cast<std::uint32_t>(x))
                             << ") = " << got << ", exp = " << want << ": " << d << " ulp");
  };
  for_floats(-87.0f, 88.0f, 613, check);
  for (float x : exp_inputs()) {
    if (x >= -87.0f && x <= 88.0f) check(x);
  }
  BOOST_TEST_MESSAGE("exp_exact: worst " << worst << " ulp at " << worst_x);
  // Properties the model relies on.
  BOOST_CHECK_EQUAL(nx::exp_exact(0.0f), 1.0f);  // the max slot's softmax weight is exactly 127
  BOOST_CHECK_EQUAL(nx::exp_exact(-0.0f), 1.0f);
  BOOST_CHECK_EQUAL(nx::exp_exact(next_down(-87.0f)), 0.0f);
  BOOST_CHECK_EQUAL(nx::exp_exact(-Limits::infinity()), 0.0f);
  BOOST_CHECK(std::isfinite(nx::exp_exact(Limits::infinity())));
  BOOST_CHECK(nx::exp_exact(-87.0f) >= FLT_MIN);  // never a denormal
}

BOOST_AUTO_TEST_CASE(elementwise_functions_by_definition) {
  // softmax weight of the max is 127; far-away scores round to 0; the range is [0, 127].
  for (float m : {-50.0f, 0.0f, 3.25f, 1e6f}) BOOST_CHECK_EQUAL(nx::softmax_weight(m, m), 127);
  BOOST_CHECK_EQUAL(nx::softmax_weight(-6.0f, 0.0f), 0);   // 127 e^-6 = 0.31
  BOOST_CHECK_EQUAL(nx::softmax_weight(-1.0f, 0.0f), 47);  // 127 e^-1 = 46.72
  for (float s = -10.0f; s <= 0.0f; s += 0.01f) {
    const int w = nx::softmax_weight(s, 0.0f);
    BOOST_REQUIRE(w >= 0 && w <= 127);
  }
  // An empty (all-masked) query yields exactly +0.
  BOOST_CHECK_EQUAL(std::bit_cast<std::uint32_t>(nx::attention_output(12345, 0, 0.5f)), 0u);
  BOOST_CHECK_EQUAL(nx::attention_output(127 * 3, 127, 0.5f), 1.5f);
  // Quantization of zero is exact zero; a zero row gets scale 1.
  BOOST_CHECK_EQUAL(nx::activation_scale(0.0f), 1.0f);
  BOOST_CHECK_EQUAL(nx::quantize(0.0f, 1.0f), 0);
  BOOST_CHECK_EQUAL(nx::quantize(127.0f, nx::activation_scale(127.0f)), 127);
  BOOST_CHECK_EQUAL(nx::dequantize(3, 0.5f, 2.0f), 3.0f);
  // SiLU: 0 at 0, the identity where exp(-g) underflows to 0, odd-ish symmetry g - silu(-g).
  BOOST_CHECK_EQUAL(nx::silu(0.0f), 0.0f);
  BOOST_CHECK_EQUAL(nx::silu(100.0f), 100.0f);
  BOOST_CHECK_CLOSE(nx::silu(1.0f), 1.0 / (1.0 + std::exp(-1.0)), 1e-4);
  // RoPE: (c, s) = (1, 0) is the identity, (0, 1) a quarter turn.
  float x0 = 0.75f, x1 = -2.5f;
  nx::rope_rotate(x0, x1, 1.0f, 0.0f);
  BOOST_CHECK(x0 == 0.75f && x1 == -2.5f);
  nx::rope_rotate(x0, x1, 0.0f, 1.0f);
  BOOST_CHECK(x0 == 2.5f && x1 == 0.75f);
  // RMS factor of a row of all 127 is 1/127 up to eps and rounding.
  BOOST_CHECK_CLOSE(nx::rms_factor(64LL * 127 * 127, 64), 1.0 / 127.0, 1e-4);
}

// The exact-GEMM argument of docs/numerics.md: |partial sum| <= 127*127*K < 2^31 <= 2^53, so
// Eigen's double GEMM on int8 values is exact in any blocking and summation order.
BOOST_AUTO_TEST_CASE(int8_gemm_in_double_is_exact) {
  static_assert(127LL * 127LL * nx::kMaxExactK < (1LL << 31), "the int32 bound of the contract");
  const int k = nx::kMaxExactK;
  Eigen::MatrixXd a(2, k), b(3, k);
  for (int j = 0; j < k; ++j) {
    a(0, j) = 127;
    a(1, j) = -127;
    b(0, j) = 127;
    b(1, j) = (j % 2) ? 127 : -127;
    b(2, j) = static_cast<double>(
        static_cast<int>(sim::mix64(static_cast<std::uint64_t>(j)) % 255) - 127);
  }
  const Eigen::MatrixXd c = a * b.transpose();
  for (int i = 0; i < 2; ++i) {
    for (int o = 0; o < 3; ++o) {
      std::int64_t exact = 0;
      for (int j = 0; j < k; ++j)
        exact += static_cast<std::int64_t>(a(i, j)) * static_cast<std::int64_t>(b(o, j));
      BOOST_CHECK_EQUAL(static_cast<std::int64_t>(c(i, o)), exact);
      BOOST_CHECK(c(i, o) == static_cast<double>(exact));
      BOOST_CHECK(exact >= std::numeric_limits<std::int32_t>::min() &&
                  exact <= std::numeric_limits<std::int32_t>::max());
    }
  }
  BOOST_CHECK_EQUAL(static_cast<std::int64_t>(c(0, 0)), 127LL * 127LL * k);
  // Random int8 matrices (own generator, portable) of odd shapes against an int64 loop.
  const int n = 13, m = 17, kk = 4099;
  Eigen::MatrixXd x(n, kk), w(m, kk);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < kk; ++j)
      x(i, j) = static_cast<int>(sim::mix64(0x100000ULL * i + j) % 255) - 127;
  }
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < kk; ++j)
      w(i, j) = static_cast<int>(sim::mix64(0xa0000000ULL + 0x100000ULL * i + j) % 255) - 127;
  }
  // Through the reference's own GEMM op (reference/ops.h), the one the model calls.
  const Eigen::MatrixXd y = reference::ops::gemm(
      {.values = x, .factor = {}},
      reference::QuantMatrix{.values = w, .scales = std::vector<float>(m, 1.0f)});
  for (int i = 0; i < n; ++i) {
    for (int o = 0; o < m; ++o) {
      std::int64_t exact = 0;
      for (int j = 0; j < kk; ++j)
        exact += static_cast<std::int64_t>(x(i, j)) * static_cast<std::int64_t>(w(o, j));
      BOOST_REQUIRE_MESSAGE(y(i, o) == static_cast<double>(exact),
                            "GEMM (" << i << ", " << o << ")");
    }
  }
}

// Greedy decoding's tie rule (numerics/host_math.h): the lowest id among equal maxima; -0 and
// +0 are equal; strict > keeps a leading NaN (callers reject NaN first; this pins the form of
// the comparison that both runtimes share).
BOOST_AUTO_TEST_CASE(argmax_ties_go_to_the_lowest_id) {
  const float ties[] = {1.0f, 3.0f, 3.0f, -2.0f, 3.0f};
  BOOST_CHECK_EQUAL(nx::argmax_lowest(ties, 5), 1);
  const float zeros[] = {-0.0f, 0.0f, -1.0f};
  BOOST_CHECK_EQUAL(nx::argmax_lowest(zeros, 3), 0);
  const float later[] = {-5.0f, -4.0f, Limits::infinity(), 2.0f};
  BOOST_CHECK_EQUAL(nx::argmax_lowest(later, 4), 2);
  const float nan_first[] = {Limits::quiet_NaN(), 1.0f};
  BOOST_CHECK_EQUAL(nx::argmax_lowest(nan_first, 2), 0);
  BOOST_CHECK_EQUAL(nx::argmax_lowest(ties, 1), 0);
}

}  // namespace
}  // namespace lockstep
