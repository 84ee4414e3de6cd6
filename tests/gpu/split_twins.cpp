// Device tests of the loaded-weights path's two kernels (docs/numerics.md §13.2), part of
// test_gpu_device (which skips without a device): k_quantize_split == ops::quantize_rows_split
// (digit rows in the device layout: high digits at row i, low digits at row rows_padded + i)
// and k_dequantize_split == ops::dequantize_split, byte for byte on random inputs, including
// an all-zero row, values past the 16-bit range (clamped) and accumulators near the int32
// limits (whose int64 combination leaves the int32 range).
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <vector>

#include "gpu/device_buffer.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "reference/ops_split.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/twin_inputs.h"

namespace {

using namespace lockstep;
using test::download;
using test::Draw;
using test::upload;

// The CPU twin's [2N, K] digits in the kernel's [2 * pad16(N), pad16(K)] layout.
std::vector<std::int8_t> split_device_layout(const reference::QuantizedRows& q) {
  const auto n = static_cast<int>(q.values.rows() / 2);
  const auto k = static_cast<int>(q.values.cols());
  const int np = gpu::pad16(n), ld = gpu::pad16(k);
  std::vector<std::int8_t> out(2 * static_cast<std::size_t>(np) * ld, 0);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < k; ++j) {
      out[static_cast<std::size_t>(i) * ld + j] = static_cast<std::int8_t>(q.values(i, j));
      out[static_cast<std::size_t>(np + i) * ld + j] = static_cast<std::int8_t>(q.values(n + i, j));
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(quantize_split_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(40), k = 1 + draw(700);
    const bool rms = seed % 2 == 0;
    const float spread = seed == 3 ? 0.0f : (seed == 5 ? 1.0e-36f : 137.0f);
    const float eps = seed % 4 == 0 ? 1.0e-5f : 1.0e-6f;
    const auto x = test::random_floats(draw, static_cast<std::size_t>(n) * k, spread);
    const auto expected =
        reference::ops::quantize_rows_split(test::to_activations(x, n, k), rms, eps);
    const int np = gpu::pad16(n), ld = gpu::pad16(k);
    const auto dx = upload(x);
    gpu::DeviceBuffer<float> df(static_cast<std::size_t>(np));
    gpu::DeviceBuffer<std::int8_t> dq(2 * static_cast<std::size_t>(np) * ld);
    gpu::launch_quantize_split(dx.get(), n, k, dq.get(), np, ld, df.get(), rms, eps, nullptr);
    const auto eq = split_device_layout(expected);
    LOCKSTEP_CHECK_BYTES_EQUAL(eq, download(dq, eq.size()), "quantize_split digits", seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected.factor, download(df, expected.factor.size()),
                               "quantize_split factor", seed);
  }
}

BOOST_AUTO_TEST_CASE(dequantize_split_kernel_equals_its_cpu_twin) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    Draw draw{seed};
    const int n = 1 + draw(30), out = 1 + draw(200), ldc = gpu::pad16(out);
    const int np = gpu::pad16(n);
    const bool accumulate = seed % 2 == 0;
    std::vector<std::int32_t> acc(2 * static_cast<std::size_t>(np) * ldc, 0);
    Eigen::MatrixXd cpu_acc(2 * n, out);
    for (int half = 0; half < 2; ++half) {
      for (int i = 0; i < n; ++i) {
        for (int o = 0; o < out; ++o) {
          const std::int32_t a = seed == 1 ? 2147000000 - draw(1000)  // near the int32 limit
                                           : (draw(65535) - 32767) * (1 + draw(60000));
          acc[static_cast<std::size_t>(half * np + i) * ldc + o] = a;
          cpu_acc(half * n + i, o) = a;
        }
      }
    }
    const auto w_scale = test::random_floats(draw, static_cast<std::size_t>(out), 1.0e-3f);
    const auto factor = test::random_floats(draw, static_cast<std::size_t>(n), 0.5f);
    const auto y0 = test::random_floats(draw, static_cast<std::size_t>(n) * out, 3.0f);
    reference::Activations expected = test::to_activations(y0, n, out);
    reference::ops::dequantize_split(cpu_acc, w_scale, factor, expected, accumulate);
    const auto dacc = upload(acc);
    const auto dw = upload(w_scale);
    const auto df = upload(factor);
    auto dy = upload(y0);
    gpu::launch_dequantize_split(dacc.get(), ldc, n, np, out, dw.get(), df.get(), dy.get(),
                                 accumulate, nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(test::to_flat(expected), download(dy, y0.size()),
                               accumulate ? "dequantize_split (accumulate)" : "dequantize_split",
                               seed);
  }
}
