// Device tests of the gpu runtime: each kernel family against its CPU twin, byte for byte.
// Without a CUDA device the executable prints "skipped: no CUDA device" and exits 77, which
// ctest reports as skipped (SKIP_RETURN_CODE). With one:
//   * numerics.h on the device == the g++ build, over every edge case (numerics_cases.h);
//   * weights and scales generated on the device == reference/weights.cpp;
//   * the cuBLASLt int8 GEMM == an int64 CPU product over M 1..64 and odd K, N (padded);
//   * GpuBackend == CpuBackend: random padded and packed passes (argmax, logits digest, full
//     logits bytes, every KV row), move plans and crops, on tiny and small models;
//   * batch / padding / pass-shape invariance (I6) on the GPU.
#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <limits>
#include <memory>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/device_buffer.h"
#include "gpu/gemm.h"
#include "gpu/gpu_backend.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "reference/cpu_backend.h"
#include "reference/host_math.h"
#include "reference/numerics.h"
#include "reference/weights.h"
#include "sim/hash.h"
#include "sim/model_config.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/numerics_cases.h"

namespace lockstep::test_numerics {
int cxx_numerics(std::uint32_t* out);
int device_numerics(std::uint32_t* out);
}  // namespace lockstep::test_numerics

namespace {

using namespace lockstep;

struct Draw {
  std::uint64_t state;
  int operator()(int n) {
    state = sim::mix64(state);
    return static_cast<int>(state % static_cast<std::uint64_t>(n));
  }
};

// Both backends with one cache each of the same model and shape.
struct Pair {
  reference::CpuBackend cpu;
  gpu::GpuBackend gpu;
  sim::CacheId cpu_cache, gpu_cache;
  int rows, capacity;
  sim::ModelConfig config;
  Pair(const sim::ModelConfig& c, int r, int cap) : rows(r), capacity(cap), config(c) {
    cpu.keep_logits(true);
    gpu.keep_logits(true);
    cpu_cache = cpu.create_cache(c, r, cap);
    gpu_cache = gpu.create_cache(c, r, cap);
  }
  void check_kv(const std::string& what) {
    for (int r = 0; r < rows; ++r) {
      BOOST_CHECK_MESSAGE(
          cpu.kv_digest(cpu_cache, r, 0, capacity) == gpu.kv_digest(gpu_cache, r, 0, capacity),
          what << ": KV row " << r << " differs");
    }
  }
};

sim::PaddedBatch random_padded(Draw& draw, int rows, int capacity, int vocab) {
  sim::PaddedBatch b;
  b.rows = 1 + draw(rows);
  b.tokens = 1 + draw(6);
  b.past = draw(capacity - b.tokens);
  for (int r = 0; r < b.rows; ++r) b.cache_rows.push_back(draw(rows));
  for (int i = 0; i < b.rows * b.tokens; ++i) {
    b.input_ids.push_back(draw(vocab));
    b.positions.push_back(draw(capacity));
    b.write_slots.push_back(draw(4) == 0 ? draw(b.columns()) : b.past + i % b.tokens);
    b.tags.push_back(sim::TokenTag{});
  }
  for (int i = 0; i < b.rows * b.columns(); ++i) b.mask.push_back(draw(3) != 0 ? 1 : 0);
  return b;
}

sim::PackedBatch random_packed(Draw& draw, int rows, int capacity, int vocab) {
  sim::PackedBatch b;
  b.row_offsets.push_back(0);
  const int count = 1 + draw(rows);
  for (int r = 0; r < count; ++r) {
    b.cache_rows.push_back(r);
    const int tokens = draw(5);
    b.kv_extent.push_back(draw(capacity - tokens));
    b.row_offsets.push_back(b.row_offsets.back() + tokens);
    for (int t = 0; t < tokens; ++t) {
      b.tokens.push_back(draw(vocab));
      b.positions.push_back(b.kv_extent.back() + t);
      b.tags.push_back(sim::TokenTag{});
    }
  }
  return b;
}

void compare_pass(Pair& p, const sim::ForwardOutput& c, const sim::ForwardOutput& g,
                  const std::string& what) {
  LOCKSTEP_CHECK_BYTES_EQUAL(c.argmax, g.argmax, what + " argmax");
  LOCKSTEP_CHECK_BYTES_EQUAL(c.digest, g.digest, what + " logits digest");
  LOCKSTEP_CHECK_BYTES_EQUAL(p.cpu.last_logits(), p.gpu.last_logits(), what + " logits bytes");
}

}  // namespace

BOOST_AUTO_TEST_CASE(numerics_on_the_device_give_the_g_plus_plus_bits) {
  std::vector<std::uint32_t> cxx(test_numerics::kMaxCases), dev(test_numerics::kMaxCases);
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_numerics(cxx.data())));
  dev.resize(static_cast<std::size_t>(test_numerics::device_numerics(dev.data())));
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, dev, "numerics cases, g++ vs sm_90");
}

// Twin: reference/weights.cpp weight_value, channel_scale.
BOOST_AUTO_TEST_CASE(device_weights_equal_the_reference_generator) {
  for (const auto& [rows, cols, gain] : std::vector<std::tuple<int, int, double>>{
           {256, 64, 73.0}, {33, 17, 292.0}, {512, 256, 18.25}, {64, 512, 1168.0}}) {
    const std::uint64_t seed = 9;
    const std::uint64_t id = reference::tensor_id(reference::TensorKind::wd, 1);
    const int rp = gpu::pad16(rows);
    const int ld = gpu::pad16(cols);
    gpu::DeviceBuffer<std::int8_t> values(static_cast<std::size_t>(rp) * ld);
    gpu::DeviceBuffer<float> scales(static_cast<std::size_t>(rows));
    gpu::launch_generate_weights(values.get(), rows, cols, rp, ld, seed, id, nullptr);
    gpu::launch_generate_scales(scales.get(), rows, cols, gain, seed, id, nullptr);
    std::vector<std::int8_t> v;
    std::vector<float> s;
    values.download(v, static_cast<std::size_t>(rp) * ld, nullptr);
    scales.download(s, static_cast<std::size_t>(rows), nullptr);
    std::vector<std::int8_t> ev(static_cast<std::size_t>(rp) * ld, 0);
    std::vector<float> es;
    for (int r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c)
        ev[static_cast<std::size_t>(r) * ld + c] = reference::weight_value(
            seed, id, static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(cols) + c);
      es.push_back(reference::channel_scale(seed, id, static_cast<std::uint64_t>(r), cols, gain));
    }
    LOCKSTEP_CHECK_BYTES_EQUAL(ev, v,
                               "weights " + std::to_string(rows) + "x" + std::to_string(cols));
    LOCKSTEP_CHECK_BYTES_EQUAL(es, s,
                               "scales " + std::to_string(rows) + "x" + std::to_string(cols));
  }
}

// The cuBLAS shape sweep of issue 6: M 1..64, odd K and N (padded to 16), int64 CPU product.
BOOST_AUTO_TEST_CASE(int8_gemm_equals_an_int64_product_over_the_shape_sweep) {
  gpu::Int8Gemm gemm;
  Draw draw{12345};
  const int ks[] = {1, 15, 17, 63, 129, 4095, 11007};
  const int ns[] = {1, 3, 17, 255, 1001};
  int shapes = 0;
  for (int m = 1; m <= 64; ++m) {
    const int k = ks[m % 7];
    const int n = ns[(m / 7) % 5];
    const int mp = gpu::pad16(m), np = gpu::pad16(n), kp = gpu::pad16(k);
    std::vector<std::int8_t> a(static_cast<std::size_t>(mp) * kp, 0),
        w(static_cast<std::size_t>(np) * kp, 0);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < k;
           ++j)  // extremes often, so sums reach the int32 range's interesting part
        a[static_cast<std::size_t>(i) * kp + j] =
            static_cast<std::int8_t>(draw(3) == 0 ? (draw(2) ? 127 : -127) : draw(255) - 127);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < k; ++j)
        w[static_cast<std::size_t>(i) * kp + j] =
            static_cast<std::int8_t>(draw(3) == 0 ? 127 : draw(255) - 127);
    gpu::DeviceBuffer<std::int8_t> da, dw;
    gpu::DeviceBuffer<std::int32_t> dc(static_cast<std::size_t>(mp) * np);
    da.upload(a, nullptr);
    dw.upload(w, nullptr);
    gemm.run(da.get(), dw.get(), dc.get(), mp, np, kp, nullptr);
    std::vector<std::int32_t> c;
    dc.download(c, static_cast<std::size_t>(mp) * np, nullptr);
    std::vector<std::int64_t> expected, got;
    for (int i = 0; i < m; ++i) {
      for (int o = 0; o < n; ++o) {
        std::int64_t sum = 0;
        for (int j = 0; j < k; ++j)
          sum += static_cast<std::int64_t>(a[static_cast<std::size_t>(i) * kp + j]) *
                 w[static_cast<std::size_t>(o) * kp + j];
        expected.push_back(sum);
        got.push_back(c[static_cast<std::size_t>(i) * np + o]);
      }
    }
    LOCKSTEP_CHECK_BYTES_EQUAL(
        expected, got,
        "GEMM M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k));
    ++shapes;
  }
  BOOST_TEST_MESSAGE("GEMM shape sweep: " << shapes << " shapes equal to the int64 product");
}

// Kernel twins, for localizing a failure: CPU transcriptions of the reference loops
// (reference/model.cpp quantize_rows and the attention loop are private) over random data.
BOOST_AUTO_TEST_CASE(quantize_rows_kernel_equals_its_cpu_twin) {
  Draw draw{31};
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 1 + draw(40), k = 1 + draw(300);
    const bool rms = trial % 2 == 0;
    std::vector<float> x(static_cast<std::size_t>(n) * k);
    for (auto& v : x)
      v = static_cast<float>(draw(20001) - 10000) * 0.0137f * (trial == 3 ? 0.0f : 1.0f);
    const int np = gpu::pad16(n), ld = gpu::pad16(k);
    std::vector<std::int8_t> eq(static_cast<std::size_t>(np) * ld, 0);
    std::vector<float> ef(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {  // reference/model.cpp quantize_rows
      float amax = 0.0f;
      for (int j = 0; j < k; ++j)
        amax = std::max(amax, std::fabs(x[static_cast<std::size_t>(i) * k + j]));
      const float scale = numerics::activation_scale(amax);
      std::int64_t sum_sq = 0;
      for (int j = 0; j < k; ++j) {
        const std::int8_t v = numerics::quantize(x[static_cast<std::size_t>(i) * k + j], scale);
        eq[static_cast<std::size_t>(i) * ld + j] = v;
        sum_sq += static_cast<std::int64_t>(v) * v;
      }
      ef[static_cast<std::size_t>(i)] = rms ? numerics::rms_factor(sum_sq, k) : scale;
    }
    gpu::DeviceBuffer<float> dx, df(static_cast<std::size_t>(np));
    gpu::DeviceBuffer<std::int8_t> dq(static_cast<std::size_t>(np) * ld);
    dx.upload(x, nullptr);
    gpu::launch_quantize_rows(dx.get(), n, k, dq.get(), np, ld, df.get(), rms, nullptr);
    std::vector<std::int8_t> q;
    std::vector<float> f;
    dq.download(q, eq.size(), nullptr);
    df.download(f, ef.size(), nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(eq, q, "quantize_rows q, trial " + std::to_string(trial));
    LOCKSTEP_CHECK_BYTES_EQUAL(ef, f, "quantize_rows factor, trial " + std::to_string(trial));
  }
}

BOOST_AUTO_TEST_CASE(attention_kernel_equals_its_cpu_twin) {
  Draw draw{47};
  const int heads = 4, kv_heads = 2, dh = 16, layers = 2, layer = 1, capacity = 50, rows = 3;
  const int kvw = kv_heads * dh, group = heads / kv_heads;
  const float score_scale = reference::attention_score_scale(dh);
  const std::size_t plane = static_cast<std::size_t>(capacity) * kvw;
  std::vector<std::int8_t> kc(rows * layers * plane), vc(rows * layers * plane);
  for (auto& b : kc) b = static_cast<std::int8_t>(draw(255) - 127);
  for (auto& b : vc) b = static_cast<std::int8_t>(draw(255) - 127);
  const int n = 9;
  std::vector<float> q(static_cast<std::size_t>(n) * heads * dh);
  for (auto& v : q) v = static_cast<float>(draw(2001) - 1000) * 0.01f;
  std::vector<std::int32_t> row_of(n), offsets{0}, visible;
  for (int i = 0; i < n; ++i) {
    row_of[static_cast<std::size_t>(i)] = draw(rows);
    const int count = i == 0 ? 0 : draw(capacity);  // token 0 sees nothing: output exactly 0
    for (int s = 0; s < capacity && static_cast<int>(visible.size()) - offsets.back() < count; ++s)
      if (draw(2)) visible.push_back(s);
    offsets.push_back(static_cast<std::int32_t>(visible.size()));
  }
  std::vector<float> expected(q.size());
  for (int i = 0; i < n; ++i) {  // the attention loop of reference/model.cpp Model::forward
    const std::size_t base =
        (static_cast<std::size_t>(row_of[static_cast<std::size_t>(i)]) * layers + layer) * plane;
    for (int hd = 0; hd < heads; ++hd) {
      const int g = hd / group;
      const float* qh = q.data() + (static_cast<std::size_t>(i) * heads + hd) * dh;
      float amax = 0.0f;
      for (int j = 0; j < dh; ++j) amax = std::max(amax, std::fabs(qh[j]));
      const float q_scale = numerics::activation_scale(amax);
      std::vector<std::int8_t> q8(dh);
      for (int j = 0; j < dh; ++j)
        q8[static_cast<std::size_t>(j)] = numerics::quantize(qh[j], q_scale);
      std::vector<float> scores;
      float max_score = -std::numeric_limits<float>::infinity();
      for (int e = offsets[static_cast<std::size_t>(i)];
           e < offsets[static_cast<std::size_t>(i) + 1]; ++e) {
        const std::int8_t* key =
            kc.data() + base +
            static_cast<std::size_t>(visible[static_cast<std::size_t>(e)]) * kvw + g * dh;
        std::int32_t acc = 0;
        for (int j = 0; j < dh; ++j)
          acc += static_cast<std::int32_t>(q8[static_cast<std::size_t>(j)]) * key[j];
        scores.push_back(numerics::dequantize(acc, q_scale, score_scale));
        max_score = std::max(max_score, scores.back());
      }
      std::vector<std::int32_t> w;
      std::int32_t normalizer = 0;
      for (float sc : scores) {
        w.push_back(numerics::softmax_weight(sc, max_score));
        normalizer += w.back();
      }
      for (int j = 0; j < dh; ++j) {
        const std::int8_t* values =
            vc.data() + base + static_cast<std::size_t>(g * dh + j) * capacity;
        std::int32_t acc = 0;
        for (std::size_t s = 0; s < w.size(); ++s)
          acc +=
              w[s] *
              values[visible[static_cast<std::size_t>(offsets[static_cast<std::size_t>(i)]) + s]];
        expected[(static_cast<std::size_t>(i) * heads + hd) * dh + j] =
            numerics::attention_output(acc, normalizer, reference::kKvScale);
      }
    }
  }
  gpu::DeviceBuffer<std::int8_t> dk, dv;
  gpu::DeviceBuffer<float> dq, dout(q.size()),
      scratch(static_cast<std::size_t>(n) * heads * capacity);
  gpu::DeviceBuffer<std::int32_t> drows, doff, dvis;
  dk.upload(kc, nullptr);
  dv.upload(vc, nullptr);
  dq.upload(q, nullptr);
  drows.upload(row_of, nullptr);
  doff.upload(offsets, nullptr);
  dvis.upload(visible, nullptr);
  gpu::launch_attention(dq.get(), n, heads, kv_heads, dh, drows.get(), doff.get(), dvis.get(),
                        dk.get(), dv.get(), layer, layers, capacity, score_scale,
                        reference::kKvScale, scratch.get(), capacity, dout.get(), nullptr);
  std::vector<float> got;
  dout.download(got, q.size(), nullptr);
  LOCKSTEP_CHECK_BYTES_EQUAL(expected, got, "attention output");
}

// Twin of every forward kernel at once: random passes, both forms, tiny and small models.
BOOST_AUTO_TEST_CASE(forward_passes_equal_the_cpu_backend_byte_for_byte) {
  for (const char* preset : {"tiny", "small", "draft-tiny"}) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      const auto config = sim::preset(preset, seed);
      Pair p(config, 4, 40);
      Draw draw{sim::combine(seed, 77)};
      for (int pass = 0; pass < 6; ++pass) {
        const std::string what =
            std::string(preset) + " seed " + std::to_string(seed) + " pass " + std::to_string(pass);
        sim::ForwardOutput c, g;
        if (pass % 2 == 0) {
          auto b = random_padded(draw, p.rows, p.capacity, config.vocab);
          b.cache = p.cpu_cache;
          p.cpu.run_padded(b, c);
          b.cache = p.gpu_cache;
          p.gpu.run_padded(b, g);
        } else {
          auto b = random_packed(draw, p.rows, p.capacity, config.vocab);
          b.cache = p.cpu_cache;
          p.cpu.run_packed(b, c);
          b.cache = p.gpu_cache;
          p.gpu.run_packed(b, g);
        }
        compare_pass(p, c, g, what);
        p.check_kv(what);
      }
    }
  }
}

// Twin of CpuBackend::apply_moves (gather semantics, overlapping and chained moves) and crop.
BOOST_AUTO_TEST_CASE(move_plans_and_crops_equal_the_cpu_backend) {
  const auto config = sim::preset("tiny", 4);
  Pair p(config, 5, 32);
  Draw draw{99};
  // Fill every slot of every row with distinct content first.
  for (int r = 0; r < p.rows; ++r) {
    sim::PackedBatch b;
    b.cache_rows = {r};
    b.row_offsets = {0, p.capacity};
    b.kv_extent = {0};
    for (int t = 0; t < p.capacity; ++t) {
      b.tokens.push_back(draw(config.vocab));
      b.positions.push_back(t);
      b.tags.push_back(sim::TokenTag{});
    }
    sim::ForwardOutput c, g;
    b.cache = p.cpu_cache;
    p.cpu.run_packed(b, c);
    b.cache = p.gpu_cache;
    p.gpu.run_packed(b, g);
  }
  p.check_kv("filled");
  for (int round = 0; round < 50; ++round) {
    sim::MovePlan plan;
    const int count = 1 + draw(6);
    for (int m = 0; m < count; ++m) {
      sim::SlotMove mv;
      mv.length = draw(10);
      mv.src_row = draw(p.rows);
      mv.dst_row = draw(p.rows);
      mv.src_slot = draw(p.capacity - mv.length + 1);
      mv.dst_slot = draw(p.capacity - mv.length + 1);
      plan.moves.push_back(mv);
    }
    plan.src = plan.dst = p.cpu_cache;
    p.cpu.apply_moves(plan);
    plan.src = plan.dst = p.gpu_cache;
    p.gpu.apply_moves(plan);
    p.check_kv("move round " + std::to_string(round));
    if (round % 5 == 4) {
      const int row = draw(p.rows);
      const int from = draw(p.capacity + 1);
      p.cpu.crop(p.cpu_cache, row, from);
      p.gpu.crop(p.gpu_cache, row, from);
      p.check_kv("crop round " + std::to_string(round));
    }
  }
}

// I6 on the GPU: one sequence's logits do not depend on batch mates, padding or pass shape.
BOOST_AUTO_TEST_CASE(batch_padding_and_shape_invariance_on_the_gpu) {
  const auto config = sim::preset("small", 21);
  gpu::GpuBackend backend;
  Draw draw{2024};
  std::vector<sim::Token> prompt;
  for (int t = 0; t < 12; ++t) prompt.push_back(draw(config.vocab));
  // Alone: one packed row.
  const auto alone_cache = backend.create_cache(config, 1, 64);
  sim::PackedBatch alone;
  alone.cache = alone_cache;
  alone.cache_rows = {0};
  alone.row_offsets = {0, 12};
  alone.kv_extent = {0};
  alone.tokens = prompt;
  for (int t = 0; t < 12; ++t) {
    alone.positions.push_back(t);
    alone.tags.push_back(sim::TokenTag{});
  }
  const auto expected = backend.forward_packed(alone).digest;
  // In a padded batch of 4 rows, right-aligned at width 20 (8 pads), with random mates.
  for (int trial = 0; trial < 8; ++trial) {
    const auto cache = backend.create_cache(config, 4, 64);
    sim::PaddedBatch b;
    b.cache = cache;
    b.rows = 4;
    b.past = 0;
    b.tokens = 20;
    const int mine = draw(4);
    for (int r = 0; r < 4; ++r) {
      b.cache_rows.push_back(r);
      const int length = r == mine ? 12 : 1 + draw(20);
      const int pad = 20 - length;
      for (int c = 0; c < 20; ++c) {
        const bool real = c >= pad;
        b.input_ids.push_back(r == mine && real ? prompt[static_cast<std::size_t>(c - pad)]
                                                : draw(config.vocab));
        b.positions.push_back(real ? c - pad : 0);
        b.write_slots.push_back(c);
        b.tags.push_back(sim::TokenTag{});
      }
      for (int s = 0; s < 20; ++s) b.mask.push_back(s >= pad ? 1 : 0);
    }
    const auto out = backend.forward_padded(b);
    for (int t = 0; t < 12; ++t) {
      BOOST_CHECK_MESSAGE(
          out.digest[static_cast<std::size_t>(mine) * 20 + 8 + t] ==
              expected[static_cast<std::size_t>(t)],
          "trial " << trial << ": token " << t << " of the sequence changed with its batch");
    }
  }
}

bool init_unit_test() {
  return true;
}

int main(int argc, char* argv[]) {
  if (gpu::cuda_device_count() == 0) {
    std::cout << "skipped: no CUDA device\n";
    return 77;
  }
  return boost::unit_test::unit_test_main(&init_unit_test, argc, argv);
}
