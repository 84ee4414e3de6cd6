// Device tests of the gpu float profiles' kernels (gpu/float_kernels.h; docs/numerics.md
// §15.2), part of test_gpu_device (which skips without a device): every k_float_*.cu kernel
// against its CPU twin (tests/gpu/float_twins.h), byte for byte on random inputs, and
// gpu/float_math.h's case list on the device against the g++ copy. The cuBLAS GEMMs have no
// twin (their reduction order is cuBLAS's): float_backend.cpp bounds them against a double
// product instead.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <vector>

#include "gpu/device_buffer.h"
#include "gpu/float_kernels.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "numerics/host_math.h"
#include "reference/float_cache.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/float_math_cases.h"
#include "tests/gpu/float_twins.h"
#include "tests/gpu/twin_inputs.h"

namespace lockstep::test_numerics {
int cxx_float_cases(std::uint32_t* out);
int device_float_cases(std::uint32_t* out);
}  // namespace lockstep::test_numerics

namespace {

using namespace lockstep;
using test::download;
using test::Draw;
using test::upload;
namespace twins = test::float_twins;

std::size_t sz(int a, int b = 1) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

}  // namespace

BOOST_AUTO_TEST_CASE(float_math_on_the_device_gives_the_g_plus_plus_bits) {
  std::vector<std::uint32_t> cxx(test_numerics::kMaxFloatCases), dev(cxx.size());
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_float_cases(cxx.data())));
  dev.resize(static_cast<std::size_t>(test_numerics::device_float_cases(dev.data())));
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, dev, "float_math cases, g++ vs device", 0);
}

BOOST_AUTO_TEST_CASE(float_dequantize_and_bf16_kernels_equal_their_cpu_twins) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Draw draw{seed};
    const int rows = 1 + draw(70), cols = 1 + draw(90), ld = gpu::pad16(cols);
    const auto values = test::random_int8(draw, sz(gpu::pad16(rows), ld));
    const auto scales = test::random_floats(draw, sz(rows), 0.02f);
    const auto dvalues = upload(values);
    const auto dscales = upload(scales);
    gpu::DeviceBuffer<float> dout(sz(rows, cols));
    gpu::launch_float_dequantize(dvalues.get(), ld, dscales.get(), rows, cols, dout.get(), nullptr);
    const auto expected = twins::dequantize(values, ld, scales, rows, cols);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(dout, expected.size()), "float dequantize", seed);
    gpu::DeviceBuffer<std::uint16_t> dbits(expected.size());
    gpu::launch_float_to_bf16(dout.get(), dbits.get(), static_cast<std::int64_t>(expected.size()),
                              nullptr);
    gpu::launch_float_round_bf16(dout.get(), static_cast<std::int64_t>(expected.size()), nullptr);
    const auto bits = twins::to_bf16(expected);
    LOCKSTEP_CHECK_BYTES_EQUAL(bits, download(dbits, bits.size()), "float to_bf16", seed);
    const auto rounded = twins::round_bf16(expected);
    LOCKSTEP_CHECK_BYTES_EQUAL(rounded, download(dout, rounded.size()), "float round_bf16", seed);
  }
}

BOOST_AUTO_TEST_CASE(float_embed_norm_swiglu_and_add_kernels_equal_their_cpu_twins) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(20), d = 1 + draw(300), vocab = 1 + draw(40);
    const auto table = test::random_floats(draw, sz(vocab, d), 3.0f);
    const auto tokens = test::random_tokens(draw, n, vocab);
    const auto dtable = upload(table);
    const auto dtokens = upload(std::vector<std::int32_t>(tokens.begin(), tokens.end()));
    gpu::DeviceBuffer<float> dh(sz(n, d)), dnorm(sz(n, d)), dact(sz(n, d));
    gpu::launch_float_embed(dtable.get(), dtokens.get(), n, d, dh.get(), nullptr);
    auto h = twins::embed(table, std::vector<int>(tokens.begin(), tokens.end()), d);
    LOCKSTEP_CHECK_BYTES_EQUAL(h, download(dh, h.size()), "float embed", seed);
    const auto gain = test::random_floats(draw, sz(d), 2.0f);
    const auto dgain = upload(gain);
    const float eps = seed % 2 ? 1.0e-6f : 1.0e-5f;
    gpu::launch_float_rms_norm(dh.get(), n, d, dgain.get(), eps, dnorm.get(), nullptr);
    const auto norm = twins::rms_norm(h, n, d, gain, eps);
    LOCKSTEP_CHECK_BYTES_EQUAL(norm, download(dnorm, norm.size()), "float rms_norm", seed);
    const auto gate = test::random_floats(draw, h.size(), seed == 3 ? 120.0f : 9.0f);
    const auto dgate = upload(gate);
    gpu::launch_float_swiglu(dgate.get(), dh.get(), dact.get(), static_cast<std::int64_t>(h.size()),
                             nullptr);
    const auto act = twins::swiglu(gate, h);
    LOCKSTEP_CHECK_BYTES_EQUAL(act, download(dact, act.size()), "float swiglu", seed);
    gpu::launch_float_add(dh.get(), dact.get(), static_cast<std::int64_t>(h.size()), nullptr);
    twins::add(h, act);
    LOCKSTEP_CHECK_BYTES_EQUAL(h, download(dh, h.size()), "float add", seed);
  }
}

BOOST_AUTO_TEST_CASE(float_rope_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 8; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(12), heads = 1 + draw(4), head_dim = 2 * (1 + draw(16));
    const int positions = 1 + draw(300);
    std::vector<float> cos, sin;
    numerics::build_float_rope_rows(head_dim, 0, positions, cos, sin, 10000.0);
    std::vector<std::int32_t> pos;
    for (int i = 0; i < n; ++i) pos.push_back(draw(positions));
    auto x = test::random_floats(draw, sz(n, heads * head_dim), 5.0f);
    auto dx = upload(x);
    const auto dpos = upload(pos);
    const auto dcos = upload(cos);
    const auto dsin = upload(sin);
    gpu::launch_float_rope(dx.get(), n, heads, head_dim, dpos.get(), dcos.get(), dsin.get(),
                           nullptr);
    twins::rope(x, n, heads, head_dim, pos, cos, sin);
    LOCKSTEP_CHECK_BYTES_EQUAL(x, download(dx, x.size()), "float rope", seed);
  }
}

BOOST_AUTO_TEST_CASE(float_kv_write_and_attention_kernels_equal_their_cpu_twins) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    Draw draw{seed};
    const int rows = 3, layers = 2, capacity = 24, heads = 4, kv_heads = 2, head_dim = 8;
    const int kvw = kv_heads * head_dim, layer = draw(layers);
    const auto plan = gpu::build_plan(
        test::random_padded(draw, {.rows = rows, .capacity = capacity, .vocab = 16}));
    const int n = plan.size();
    auto k_cache = test::random_floats(draw, sz(rows * layers * capacity, kvw), 4.0f);
    auto v_cache = test::random_floats(draw, k_cache.size(), 4.0f);
    const auto k = test::random_floats(draw, sz(n, kvw), 4.0f);
    const auto v = test::random_floats(draw, k.size(), 4.0f);
    const auto q = test::random_floats(draw, sz(n, heads * head_dim), 4.0f);
    auto dk_cache = upload(k_cache);
    auto dv_cache = upload(v_cache);
    std::vector<std::int32_t> packed;
    const gpu::PlanLayout layout = gpu::pack_plan(plan, packed);
    const auto dplan = upload(packed);
    const auto dk = upload(k);
    const auto dv = upload(v);
    const auto dq = upload(q);
    const std::int32_t* p = dplan.get();
    gpu::launch_float_kv_write(dk.get(), dv.get(), n, kvw, p + layout.rows, p + layout.write_slots,
                               dk_cache.get(), dv_cache.get(), layer, layers, capacity, nullptr);
    twins::kv_write(k, v, kvw, plan, k_cache, v_cache, layer, layers, capacity);
    LOCKSTEP_CHECK_BYTES_EQUAL(k_cache, download(dk_cache, k_cache.size()), "float kv_write K",
                               seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(v_cache, download(dv_cache, v_cache.size()), "float kv_write V",
                               seed);
    const int max_visible = std::max(1, plan.max_visible());
    gpu::DeviceBuffer<float> dout(q.size()), scratch(sz(n * heads, max_visible));
    const float scale = 0.35355339f;
    gpu::launch_float_attention(dq.get(), n, heads, kv_heads, head_dim, p + layout.rows,
                                p + layout.visible_offsets, p + layout.visible, dk_cache.get(),
                                dv_cache.get(), layer, layers, capacity, scale, scratch.get(),
                                max_visible, dout.get(), nullptr);
    const auto expected = twins::attention(q, heads, kv_heads, head_dim, plan, k_cache, v_cache,
                                           layer, layers, capacity, scale);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(dout, expected.size()), "float attention", seed);
  }
}

BOOST_AUTO_TEST_CASE(float_move_and_crop_kernels_equal_the_cpu_float_cache) {
  const int rows = 4, layers = 2, capacity = 20, kvw = 12, plane = capacity * kvw;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    Draw draw{seed};
    auto k = test::random_floats(draw, sz(rows * layers, plane), 7.0f);
    auto v = test::random_floats(draw, k.size(), 7.0f);
    sim::MovePlan plan;
    for (int m = 0, count = 1 + draw(5); m < count; ++m) {
      sim::SlotMove mv;
      mv.length = draw(8);
      mv.src_row = draw(rows);
      mv.dst_row = draw(rows);
      mv.src_slot = draw(capacity - mv.length + 1);
      mv.dst_slot = draw(capacity - mv.length + 1);
      plan.moves.push_back(mv);
    }
    auto dk = upload(k);
    auto dv = upload(v);
    std::vector<std::int32_t> packed;
    const std::int64_t total = gpu::pack_moves(plan, packed);
    const auto dmoves = upload(packed);
    const auto count = static_cast<int>(plan.moves.size());
    gpu::DeviceBuffer<float> staging(2 * sz(static_cast<int>(total) + 1, layers * kvw));
    gpu::launch_float_stage_moves(dmoves.get(), dmoves.get() + 5 * count, count, total, dk.get(),
                                  dv.get(), layers, capacity, kvw, staging.get(), nullptr);
    gpu::launch_float_write_moves(dmoves.get(), dmoves.get() + 5 * count, count, total,
                                  staging.get(), dk.get(), dv.get(), layers, capacity, kvw,
                                  nullptr);
    const int crop_row = draw(rows), from = draw(capacity + 1);
    gpu::launch_float_crop(dk.get(), dv.get(), crop_row, from, layers, capacity, kvw, nullptr);
    auto cache = twins::to_float_rows(k, v, rows, layers, plane);
    const auto before = cache;
    reference::move_float_slots(plan, before, cache, kvw, capacity);
    reference::crop_float_row(cache[static_cast<std::size_t>(crop_row)], kvw, from);
    twins::from_float_rows(cache, k, v);
    LOCKSTEP_CHECK_BYTES_EQUAL(k, download(dk, k.size()), "float moves + crop K", seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(v, download(dv, v.size()), "float moves + crop V", seed);
  }
}
