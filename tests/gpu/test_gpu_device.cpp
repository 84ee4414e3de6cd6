// Device tests of the gpu runtime: every kernel against its CPU twin, the reference op of the
// same name (reference/ops.h), byte for byte on random inputs, and the whole backend against
// the cpu backend. Without a CUDA device the executable prints "skipped: no CUDA device" and
// exits 77, which ctest reports as skipped (SKIP_RETURN_CODE). With one:
//   * numerics.h on the device == the g++ build, over every edge case (numerics_cases.h);
//   * k_weights == numerics/weight_generator.h; the cuBLASLt GEMM == ops::gemm over a shape
//     sweep; k_embedding, k_quantize_rows, k_dequantize, k_rope, k_kv_write, k_attention,
//     k_swiglu, k_check_finite == ops::embedding, quantize_rows, dequantize, rope, kv_write,
//     attention, swiglu, check_finite;
//   * GpuBackend == CpuBackend: random padded and packed passes (argmax, logits digest, full
//     logits bytes, every KV row), move plans and crops, on tiny and small models;
//   * batch / padding / pass-shape invariance (I6) on the GPU.
// Every comparison goes through LOCKSTEP_CHECK_BYTES_EQUAL (first difference, index, both
// values, seed).
#define BOOST_TEST_NO_MAIN
#define BOOST_TEST_ALTERNATIVE_INIT_API
#include <boost/test/unit_test.hpp>

#include <climits>
#include <cmath>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/device_buffer.h"
#include "gpu/gemm.h"
#include "gpu/gpu_backend.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "numerics/host_math.h"
#include "numerics/tensor_ids.h"
#include "numerics/weight_generator.h"
#include "reference/cpu_backend.h"
#include "reference/ops.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/model_config.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/numerics_cases.h"
#include "tests/gpu/twin_inputs.h"
#include "tests/random_batch.h"

namespace lockstep::test_numerics {
int cxx_numerics(std::uint32_t* out);
int device_numerics(std::uint32_t* out);
}  // namespace lockstep::test_numerics

namespace {

using namespace lockstep;
using test::download;
using test::Draw;
using test::upload;

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

void compare_pass(Pair& p, const sim::ForwardOutput& c, const sim::ForwardOutput& g,
                  const std::string& what, std::uint64_t seed) {
  LOCKSTEP_CHECK_BYTES_EQUAL(c.argmax, g.argmax, what + " argmax", seed);
  LOCKSTEP_CHECK_BYTES_EQUAL(c.digest, g.digest, what + " logits digest", seed);
  LOCKSTEP_CHECK_BYTES_EQUAL(p.cpu.last_logits(), p.gpu.last_logits(), what + " logits bytes",
                             seed);
}

// The CPU op's int8 rows laid out as the kernel writes them: [pad16(n), pad16(k)], zeros past.
std::vector<std::int8_t> padded_int8(const reference::QuantizedRows& q) {
  const auto n = static_cast<int>(q.values.rows());
  const auto k = static_cast<int>(q.values.cols());
  const int ld = gpu::pad16(k);
  std::vector<std::int8_t> out(static_cast<std::size_t>(gpu::pad16(n)) * ld, 0);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j)
      out[static_cast<std::size_t>(i) * ld + j] = static_cast<std::int8_t>(q.values(i, j));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(numerics_on_the_device_give_the_g_plus_plus_bits) {
  std::vector<std::uint32_t> cxx(test_numerics::kMaxCases), dev(test_numerics::kMaxCases);
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_numerics(cxx.data())));
  dev.resize(static_cast<std::size_t>(test_numerics::device_numerics(dev.data())));
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, dev, "numerics cases, g++ vs sm_90", 0);
}

// k_weights.cu against numerics/weight_generator.h on the host.
BOOST_AUTO_TEST_CASE(weights_kernel_equals_the_host_generator) {
  struct Case {
    int rows, cols;
    double gain;
  };
  const std::uint64_t seed = 9;
  const std::uint64_t id = numerics::tensor_id(numerics::TensorKind::wd, 1);
  for (const Case& c :
       {Case{.rows = 256, .cols = 64, .gain = 73.0}, Case{.rows = 33, .cols = 17, .gain = 292.0},
        Case{.rows = 512, .cols = 256, .gain = 18.25},
        Case{.rows = 64, .cols = 512, .gain = 1168.0}}) {
    const int rp = gpu::pad16(c.rows);
    const int ld = gpu::pad16(c.cols);
    gpu::DeviceBuffer<std::int8_t> values(static_cast<std::size_t>(rp) * ld);
    gpu::DeviceBuffer<float> scales(static_cast<std::size_t>(c.rows));
    gpu::launch_generate_weights(values.get(), c.rows, c.cols, rp, ld, seed, id, nullptr);
    gpu::launch_generate_scales(scales.get(), c.rows, c.cols, c.gain, seed, id, nullptr);
    std::vector<std::int8_t> ev(static_cast<std::size_t>(rp) * ld, 0);
    std::vector<float> es;
    for (int r = 0; r < c.rows; ++r) {
      for (int col = 0; col < c.cols; ++col)
        ev[static_cast<std::size_t>(r) * ld + col] = numerics::weight_value(
            seed, id, static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(c.cols) + col);
      es.push_back(
          numerics::channel_scale(seed, id, static_cast<std::uint64_t>(r), c.cols, c.gain));
    }
    const std::string shape = std::to_string(c.rows) + "x" + std::to_string(c.cols);
    LOCKSTEP_CHECK_BYTES_EQUAL(ev, download(values, ev.size()), "weights " + shape, seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(es, download(scales, es.size()), "scales " + shape, seed);
  }
}

// The cuBLAS shape sweep of issue 6: M 1..64, odd K and N (padded to 16), against ops::gemm.
BOOST_AUTO_TEST_CASE(int8_gemm_equals_its_cpu_twin_over_the_shape_sweep) {
  gpu::Int8Gemm gemm;
  const std::uint64_t seed = 12345;
  Draw draw{seed};
  const int ks[] = {1, 15, 17, 63, 129, 4095, 11007};
  const int ns[] = {1, 3, 17, 255, 1001};
  for (int m = 1; m <= 64; ++m) {
    const int k = ks[m % 7];
    const int n = ns[(m / 7) % 5];
    const test::TwinTensor a = test::random_tensor(draw, m, k);
    const test::TwinTensor w = test::random_tensor(draw, n, k);
    gpu::DeviceBuffer<std::int32_t> dc(static_cast<std::size_t>(a.rows_padded) * w.rows_padded);
    gemm.run(a.values.get(), w.values.get(), dc.get(), a.rows_padded, w.rows_padded, a.ld, nullptr);
    const auto c = download(dc, static_cast<std::size_t>(a.rows_padded) * w.rows_padded);
    const Eigen::MatrixXd expected_acc =
        reference::ops::gemm({.values = a.cpu.values, .factor = {}}, w.cpu);
    std::vector<std::int32_t> expected, got;
    for (int i = 0; i < m; ++i) {
      for (int o = 0; o < n; ++o) {
        expected.push_back(static_cast<std::int32_t>(expected_acc(i, o)));
        got.push_back(c[static_cast<std::size_t>(i) * w.rows_padded + o]);
      }
    }
    LOCKSTEP_CHECK_BYTES_EQUAL(
        expected, got,
        "GEMM M=" + std::to_string(m) + " N=" + std::to_string(n) + " K=" + std::to_string(k),
        seed);
  }
}

BOOST_AUTO_TEST_CASE(embedding_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Draw draw{seed};
    const int vocab = 1 + draw(300), d = 1 + draw(200), n = draw(40);
    const test::TwinTensor table = test::random_tensor(draw, vocab, d);
    const auto tokens = test::random_tokens(draw, n, vocab);
    const auto expected = test::to_flat(reference::ops::embedding(table.cpu, tokens));
    gpu::DeviceBuffer<float> h(static_cast<std::size_t>(n) * d + 1);
    const auto dtokens = upload(tokens);
    gpu::launch_embed(h.get(), table.values.get(), table.ld, table.scales.get(), dtokens.get(), n,
                      d, nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(h, expected.size()), "embedding", seed);
  }
}

BOOST_AUTO_TEST_CASE(quantize_rows_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(40), k = 1 + draw(300);
    const bool rms = seed % 2 == 0;
    const float spread = seed == 3 ? 0.0f : 137.0f;  // an all-zero input once
    const auto x = test::random_floats(draw, static_cast<std::size_t>(n) * k, spread);
    const auto expected = reference::ops::quantize_rows(test::to_activations(x, n, k), rms);
    const int np = gpu::pad16(n), ld = gpu::pad16(k);
    const auto dx = upload(x);
    gpu::DeviceBuffer<float> df(static_cast<std::size_t>(np));
    gpu::DeviceBuffer<std::int8_t> dq(static_cast<std::size_t>(np) * ld);
    gpu::launch_quantize_rows(dx.get(), n, k, dq.get(), np, ld, df.get(), rms, nullptr);
    const auto eq = padded_int8(expected);
    LOCKSTEP_CHECK_BYTES_EQUAL(eq, download(dq, eq.size()), "quantize_rows q", seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected.factor, download(df, expected.factor.size()),
                               "quantize_rows factor", seed);
  }
}

BOOST_AUTO_TEST_CASE(dequantize_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(30), out = 1 + draw(200), ldc = gpu::pad16(out);
    const bool accumulate = seed % 2 == 0;
    std::vector<std::int32_t> acc(static_cast<std::size_t>(n) * ldc, 0);
    Eigen::MatrixXd cpu_acc(n, out);
    for (int i = 0; i < n; ++i) {
      for (int o = 0; o < out; ++o) {
        const std::int32_t a = (draw(65535) - 32767) * (1 + draw(60000));
        acc[static_cast<std::size_t>(i) * ldc + o] = a;
        cpu_acc(i, o) = a;
      }
    }
    const auto w_scale = test::random_floats(draw, static_cast<std::size_t>(out), 1.0e-3f);
    const auto factor = test::random_floats(draw, static_cast<std::size_t>(n), 0.5f);
    const auto y0 = test::random_floats(draw, static_cast<std::size_t>(n) * out, 3.0f);
    reference::Activations expected = test::to_activations(y0, n, out);
    reference::ops::dequantize(cpu_acc, w_scale, factor, expected, accumulate);
    const auto dacc = upload(acc);
    const auto dw = upload(w_scale);
    const auto df = upload(factor);
    auto dy = upload(y0);
    gpu::launch_dequantize(dacc.get(), ldc, n, out, dw.get(), df.get(), dy.get(), accumulate,
                           nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(test::to_flat(expected), download(dy, y0.size()),
                               accumulate ? "dequantize (accumulate)" : "dequantize", seed);
  }
}

BOOST_AUTO_TEST_CASE(rope_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(30), heads = 1 + draw(6), dh = 2 * (1 + draw(40)), positions = 500;
    std::vector<float> cos, sin;
    numerics::build_rope_rows(dh, 0, positions, cos, sin);
    std::vector<std::int32_t> pos(static_cast<std::size_t>(n));
    for (auto& p : pos) p = draw(positions);
    const auto x = test::random_floats(draw, static_cast<std::size_t>(n) * heads * dh, 20.0f);
    reference::Activations expected = test::to_activations(x, n, heads * dh);
    reference::ops::rope(expected, heads, dh, pos, cos, sin);
    auto dx = upload(x);
    const auto dpos = upload(pos);
    const auto dcos = upload(cos);
    const auto dsin = upload(sin);
    gpu::launch_rope(dx.get(), n, heads, dh, dpos.get(), dcos.get(), dsin.get(), nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(test::to_flat(expected), download(dx, x.size()), "rope", seed);
  }
}

// The kernel writes only the last writer of each (row, slot) (gpu/plan.h); the op writes all in
// plan order: the caches must agree.
BOOST_AUTO_TEST_CASE(kv_write_kernel_equals_its_cpu_twin) {
  // A V scale unlike the K scale (a loaded model's calibrated pair), so a swap would show.
  constexpr float kVScale = 0.0873f;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Draw draw{seed};
    const test::KvShape kv{.rows = 4, .layers = 3, .capacity = 24, .kv_width = 8 * (1 + draw(8))};
    const int layer = draw(kv.layers);
    const auto plan = gpu::build_plan(
        test::random_padded(draw, {.rows = kv.rows, .capacity = kv.capacity, .vocab = 16}));
    const int n = plan.size();
    const auto k = test::random_floats(draw, static_cast<std::size_t>(n) * kv.kv_width, 6.0f);
    const auto v = test::random_floats(draw, k.size(), 6.0f);
    auto cache = test::random_cache(draw, kv);
    auto dk_cache = upload(test::device_layout(cache, false));
    auto dv_cache = upload(test::device_layout(cache, true));
    reference::ops::kv_write(test::to_activations(k, n, kv.kv_width),
                             test::to_activations(v, n, kv.kv_width), plan, cache, layer,
                             kv.capacity, numerics::kKvScale, kVScale);
    std::vector<std::int32_t> packed;
    const gpu::PlanLayout layout = gpu::pack_plan(plan, packed);
    const auto dplan = upload(packed);
    const auto dk = upload(k);
    const auto dv = upload(v);
    gpu::launch_kv_write(dk.get(), dv.get(), n, kv.kv_width, dplan.get() + layout.rows,
                         dplan.get() + layout.write_slots, dk_cache.get(), dv_cache.get(), layer,
                         kv.layers, kv.capacity, numerics::kKvScale, kVScale, nullptr);
    const auto expected_k = test::device_layout(cache, false);
    const auto expected_v = test::device_layout(cache, true);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected_k, download(dk_cache, expected_k.size()), "kv_write K",
                               seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected_v, download(dv_cache, expected_v.size()), "kv_write V",
                               seed);
  }
}

namespace {

// One random attention pass (rows, visible slots, q) compared between the two twins. The
// wide steps' sums leave int32 past 516 visible slots: `dense` makes the last token see every
// slot of a long row.
void check_attention_twins(std::uint64_t seed, numerics::AttentionSteps steps, int capacity,
                           bool dense) {
  Draw draw{seed};
  const reference::AttentionShape shape{.heads = 4, .kv_heads = 2, .head_dim = 16};
  const test::KvShape kv{.rows = 3, .layers = 2, .capacity = capacity, .kv_width = 32};
  const int layer = 1, n = 9;
  const auto cache = test::random_cache(draw, kv);
  const auto q = test::random_floats(draw, static_cast<std::size_t>(n) * 64, 10.0f);
  numerics::PassPlan plan;
  plan.visible_offsets.push_back(0);
  for (int i = 0; i < n; ++i) {
    plan.rows.push_back(draw(kv.rows));
    const bool all = dense && i == n - 1;
    const int count = i == 0 ? 0 : (all ? kv.capacity : draw(kv.capacity));  // token 0: output 0
    for (int s = 0; s < kv.capacity &&
                    static_cast<int>(plan.visible.size()) - plan.visible_offsets.back() < count;
         ++s)
      if (all || draw(2)) plan.visible.push_back(s);
    plan.visible_offsets.push_back(static_cast<std::int32_t>(plan.visible.size()));
  }
  const float score_scale = numerics::attention_score_scale(shape.head_dim);
  const auto expected = test::to_flat(
      reference::ops::attention(test::to_activations(q, n, 64), shape, plan, cache, layer,
                                kv.capacity, score_scale, numerics::kKvScale, steps));
  const auto dk = upload(test::device_layout(cache, false));
  const auto dv = upload(test::device_layout(cache, true));
  const auto dq = upload(q);
  const auto drows = upload(plan.rows);
  const auto doff = upload(plan.visible_offsets);
  const auto dvis = upload(plan.visible);
  gpu::DeviceBuffer<float> dout(q.size()),
      scratch(static_cast<std::size_t>(n) * shape.heads * kv.capacity);
  gpu::launch_attention(dq.get(), n, shape.heads, shape.kv_heads, shape.head_dim, drows.get(),
                        doff.get(), dvis.get(), dk.get(), dv.get(), layer, kv.layers, kv.capacity,
                        score_scale, numerics::kKvScale, scratch.get(), kv.capacity, dout.get(),
                        steps, nullptr);
  LOCKSTEP_CHECK_BYTES_EQUAL(
      expected, download(dout, q.size()),
      steps == numerics::AttentionSteps::wide ? "attention (wide)" : "attention", seed);
}

}  // namespace

BOOST_AUTO_TEST_CASE(attention_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed)
    check_attention_twins(seed, numerics::AttentionSteps::int8, 50, false);
}

// The loaded path's steps (docs/numerics.md §13.5): 16-bit q, 15-bit weights, int64 sums.
BOOST_AUTO_TEST_CASE(wide_attention_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed)
    check_attention_twins(seed, numerics::AttentionSteps::wide, 50, false);
  for (std::uint64_t seed = 11; seed <= 13; ++seed)
    check_attention_twins(seed, numerics::AttentionSteps::wide, 900, true);
}

BOOST_AUTO_TEST_CASE(swiglu_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(20), ffn = 1 + draw(500);
    const auto gate = test::random_floats(draw, static_cast<std::size_t>(n) * ffn, 100.0f);
    const auto up = test::random_floats(draw, gate.size(), 30.0f);
    const auto expected = test::to_flat(reference::ops::swiglu(test::to_activations(gate, n, ffn),
                                                               test::to_activations(up, n, ffn)));
    const auto dg = upload(gate);
    const auto du = upload(up);
    gpu::DeviceBuffer<float> act(gate.size());
    gpu::launch_swiglu(dg.get(), du.get(), act.get(), static_cast<std::int64_t>(gate.size()),
                       nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(act, gate.size()), "swiglu", seed);
  }
}

// The op throws on the first NaN or Inf; the kernel lowers the flag to its code: the same
// verdict on inputs with none, one NaN, one Inf.
BOOST_AUTO_TEST_CASE(check_finite_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 9; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(20), width = 1 + draw(300);
    auto x = test::random_floats(draw, static_cast<std::size_t>(n) * width, 1.0e30f);
    const float poison[] = {1.0f, NAN, -INFINITY};
    x[static_cast<std::size_t>(draw(static_cast<int>(x.size())))] = poison[seed % 3];
    bool cpu_rejects = false;
    try {
      reference::ops::check_finite(test::to_activations(x, n, width), "the test input", 0);
    } catch (const InputError&) {
      cpu_rejects = true;
    }
    const int no_error = INT_MAX, code = 7;
    const auto dx = upload(x);
    auto flag = upload(std::vector<int>{no_error});
    gpu::launch_check_finite(dx.get(), static_cast<std::int64_t>(x.size()), code, flag.get(),
                             nullptr);
    const std::vector<int> expected{cpu_rejects ? code : no_error};
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(flag, 1), "check_finite verdict", seed);
  }
}

// Twin of every forward kernel at once: random passes, both forms, tiny and small models.
BOOST_AUTO_TEST_CASE(forward_passes_equal_the_cpu_backend_byte_for_byte) {
  for (const char* preset : {"tiny", "small", "draft-tiny"}) {
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
      const auto config = sim::preset(preset, seed);
      Pair p(config, 4, 40);
      Draw draw{sim::combine(seed, 77)};
      const test::BatchShape shape{.rows = p.rows, .capacity = p.capacity, .vocab = config.vocab};
      for (int pass = 0; pass < 6; ++pass) {
        const std::string what =
            std::string(preset) + " seed " + std::to_string(seed) + " pass " + std::to_string(pass);
        sim::ForwardOutput c, g;
        if (pass % 2 == 0) {
          auto b = test::random_padded(draw, shape);
          b.cache = p.cpu_cache;
          p.cpu.run_padded(b, c);
          b.cache = p.gpu_cache;
          p.gpu.run_padded(b, g);
        } else {
          auto b = test::random_packed(draw, shape);
          b.cache = p.cpu_cache;
          p.cpu.run_packed(b, c);
          b.cache = p.gpu_cache;
          p.gpu.run_packed(b, g);
        }
        compare_pass(p, c, g, what, seed);
        p.check_kv(what);
      }
    }
  }
}

// Issue 11's pre-flight options: a wider token padding (other cuBLASLt shapes) changes no byte;
// the RoPE table grows past 64 and 128 positions; kv_digest of partial and empty ranges
// (downloaded range only) equals the reference's.
BOOST_AUTO_TEST_CASE(token_padding_rope_growth_and_range_digests_equal_the_cpu_backend) {
  for (const int pad : {32, 64}) {
    const auto config = sim::preset("small", 3);
    Pair p(config, 3, 200);
    p.gpu.set_token_pad(pad);
    BOOST_TEST(p.gpu.token_pad() == pad);
    Draw draw{sim::combine(static_cast<std::uint64_t>(pad), 5)};
    const test::BatchShape shape{.rows = p.rows, .capacity = p.capacity, .vocab = config.vocab};
    for (int pass = 0; pass < 6; ++pass) {
      const std::string what = "token pad " + std::to_string(pad) + " pass " + std::to_string(pass);
      sim::ForwardOutput c, g;
      auto b = test::random_padded(draw, shape);
      b.cache = p.cpu_cache;
      p.cpu.run_padded(b, c);
      b.cache = p.gpu_cache;
      p.gpu.run_padded(b, g);
      compare_pass(p, c, g, what, static_cast<std::uint64_t>(pad));
      p.check_kv(what);
      for (int r = 0; r < p.rows; ++r) {
        const int first = draw(p.capacity);
        const int count = draw(p.capacity - first + 1);
        BOOST_CHECK_MESSAGE(p.cpu.kv_digest(p.cpu_cache, r, first, count) ==
                                p.gpu.kv_digest(p.gpu_cache, r, first, count),
                            what << ": KV digest of row " << r << " slots [" << first << ", "
                                 << first + count << ") differs");
      }
    }
  }
  gpu::GpuBackend backend;
  BOOST_CHECK_THROW(backend.set_token_pad(24), InputError);
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
  const auto prompt = test::random_tokens(draw, 12, config.vocab);
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
