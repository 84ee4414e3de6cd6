// Device tests of the gpu backend's float and bf16 profiles as a whole (docs/numerics.md
// §15.2), part of test_gpu_device (skipped without a device). No byte equality with the cpu
// float profile is expected (cuBLAS reduces in its own order; exp is numerics::exp_exact), so:
//   * the cuBLAS GEMM (fp32 and bf16 operands) is within fp32 rounding of a double product of
//     the same operands (layout and transposes right, TF32 off);
//   * every pass's outputs are self-consistent (argmax lowest on ties, digest and top two of
//     the logits it returns) and close to the cpu float profile's logits for the same pass;
//   * runs repeat bit for bit; moves and crops move the stored fp32 bytes (kv_digest).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "gpu/float_gemm.h"
#include "gpu/float_math.h"
#include "gpu/gpu_backend.h"
#include "numerics/host_math.h"
#include "reference/cpu_backend.h"
#include "sim/model_config.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/twin_inputs.h"

namespace {

using namespace lockstep;
using test::download;
using test::Draw;
using test::upload;

sim::ModelConfig float_preset(const char* name, std::uint64_t seed, sim::Numerics numerics) {
  sim::ModelConfig c = sim::preset(name, seed);
  c.numerics = numerics;
  return c;
}

// Outputs of one pass agree with the logits they came from.
void check_outputs(const sim::ForwardOutput& out, const std::vector<float>& logits, int vocab,
                   const std::string& what) {
  for (std::size_t i = 0; i < out.argmax.size(); ++i) {
    const float* row = logits.data() + i * static_cast<std::size_t>(vocab);
    BOOST_CHECK_MESSAGE(out.argmax[i] == numerics::argmax_lowest(row, vocab), what << " argmax");
    BOOST_CHECK_MESSAGE(out.digest[i] == numerics::digest_logits(row, vocab), what << " digest");
    BOOST_CHECK_MESSAGE(
        out.top2[i].best == row[out.argmax[i]] && out.top2[i].second_token != out.argmax[i],
        what << " top2");
  }
}

// The largest |a - b| over a row relative to the row's largest |a|.
double relative_gap(const float* a, const float* b, int count) {
  double gap = 0, scale = 1e-30;
  for (int j = 0; j < count; ++j) {
    gap = std::max(gap, std::abs(static_cast<double>(a[j]) - b[j]));
    scale = std::max(scale, std::abs(static_cast<double>(a[j])));
  }
  return gap / scale;
}

void check_gemm(bool bf16, std::uint64_t seed) {
  Draw draw{seed};
  const int n = 1 + draw(40), out = 1 + draw(300), in = 1 + draw(600);
  auto x = test::random_floats(draw, static_cast<std::size_t>(n) * in, 2.0f);
  auto w = test::random_floats(draw, static_cast<std::size_t>(out) * in, 0.5f);
  gpu::FloatGemm gemm;
  gpu::DeviceBuffer<float> dy(static_cast<std::size_t>(n) * out);
  if (bf16) {
    std::vector<std::uint16_t> xb, wb;
    for (float& v : x) xb.push_back(gpu::float_math::bf16_bits(v = gpu::float_math::round_bf16(v)));
    for (float& v : w) wb.push_back(gpu::float_math::bf16_bits(v = gpu::float_math::round_bf16(v)));
    const auto dx = upload(xb);
    const auto dw = upload(wb);
    gemm.run_bf16(dx.get(), dw.get(), dy.get(), n, out, in, nullptr);
  } else {
    const auto dx = upload(x);
    const auto dw = upload(w);
    gemm.run_fp32(dx.get(), dw.get(), dy.get(), n, out, in, nullptr);
  }
  const auto y = download(dy, static_cast<std::size_t>(n) * out);
  for (int i = 0; i < n; ++i) {
    for (int o = 0; o < out; ++o) {
      double exact = 0, magnitude = 0;
      for (int k = 0; k < in; ++k) {
        const double p = static_cast<double>(x[static_cast<std::size_t>(i) * in + k]) *
                         w[static_cast<std::size_t>(o) * in + k];
        exact += p;
        magnitude += std::abs(p);
      }
      const double error = std::abs(y[static_cast<std::size_t>(i) * out + o] - exact);
      // fp32 accumulation over `in` terms stays within in * 2^-24 of the magnitude (any
      // order); TF32's 10-bit products miss that bound on the narrower shapes.
      BOOST_REQUIRE_MESSAGE(error <= in * 0x1p-23 * magnitude + 1e-30,
                            (bf16 ? "bf16" : "fp32")
                                << " GEMM seed " << seed << " (" << i << ", " << o
                                << "): " << y[i * out + o] << " vs " << exact);
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(float_gemm_is_an_fp32_product_of_its_operands) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    check_gemm(false, seed);
    check_gemm(true, seed);
  }
}

BOOST_AUTO_TEST_CASE(gpu_float_profiles_track_the_cpu_float_profile) {
  for (const auto numerics : {sim::Numerics::float32, sim::Numerics::bf16}) {
    const bool bf16 = numerics == sim::Numerics::bf16;
    for (const char* preset : {"tiny", "small"}) {
      const auto config = float_preset(preset, 5, numerics);
      reference::CpuBackend cpu;
      gpu::GpuBackend gpu;
      cpu.keep_logits(true);
      gpu.keep_logits(true);
      const auto cc = cpu.create_cache(config, 4, 40);
      const auto gc = gpu.create_cache(config, 4, 40);
      Draw draw{17};
      int agree = 0, tokens = 0;
      for (int pass = 0; pass < 8; ++pass) {
        const std::string what =
            std::string(preset) + (bf16 ? " bf16" : " float") + " pass " + std::to_string(pass);
        sim::ForwardOutput c, g;
        auto b = test::random_packed(draw, {.rows = 4, .capacity = 40, .vocab = config.vocab});
        b.cache = cc;
        cpu.run_packed(b, c);
        b.cache = gc;
        gpu.run_packed(b, g);
        check_outputs(g, gpu.last_logits(), config.vocab, what);
        for (std::size_t i = 0; i < g.argmax.size(); ++i) {
          const std::size_t at = i * static_cast<std::size_t>(config.vocab);
          const double gap = relative_gap(cpu.last_logits().data() + at,
                                          gpu.last_logits().data() + at, config.vocab);
          BOOST_CHECK_MESSAGE(gap < (bf16 ? 0.1 : 1e-3), what << " token " << i << ": gap " << gap);
          agree += c.argmax[i] == g.argmax[i] ? 1 : 0;
          ++tokens;
        }
      }
      BOOST_CHECK_MESSAGE(agree * 10 >= tokens * (bf16 ? 7 : 9),
                          preset << (bf16 ? " bf16" : " float") << ": argmax agrees on " << agree
                                 << " of " << tokens);
    }
  }
}

BOOST_AUTO_TEST_CASE(gpu_float_runs_repeat_and_moves_carry_the_stored_bytes) {
  const auto config = float_preset("tiny", 3, sim::Numerics::bf16);
  const int rows = 3, capacity = 24;
  std::vector<std::uint64_t> digests[2];
  for (int run = 0; run < 2; ++run) {
    gpu::GpuBackend gpu;
    const auto cache = gpu.create_cache(config, rows, capacity);
    Draw draw{29};
    for (int pass = 0; pass < 4; ++pass) {
      auto b =
          test::random_padded(draw, {.rows = rows, .capacity = capacity, .vocab = config.vocab});
      b.cache = cache;
      sim::ForwardOutput out;
      gpu.run_padded(b, out);
      digests[run].insert(digests[run].end(), out.digest.begin(), out.digest.end());
    }
    for (int r = 0; r < rows; ++r) digests[run].push_back(gpu.kv_digest(cache, r, 0, capacity));
    if (run == 1) {
      const std::uint64_t source = gpu.kv_digest(cache, 0, 2, 9);
      sim::MovePlan plan;
      plan.src = plan.dst = cache;
      plan.moves.push_back(
          {.src_row = 0, .src_slot = 2, .dst_row = 2, .dst_slot = 11, .length = 9});
      gpu.apply_moves(plan);
      BOOST_CHECK_EQUAL(gpu.kv_digest(cache, 2, 11, 9), source);
      gpu.crop(cache, 2, 5);
      const auto fresh = gpu.create_cache(config, 1, capacity);
      BOOST_CHECK_EQUAL(gpu.kv_digest(cache, 2, 5, capacity - 5),
                        gpu.kv_digest(fresh, 0, 5, capacity - 5));
    }
  }
  LOCKSTEP_CHECK_BYTES_EQUAL(digests[0], digests[1], "two bf16 runs", 29);
}
