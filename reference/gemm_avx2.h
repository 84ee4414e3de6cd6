// The exact int8 GEMM on AVX2 integer instructions (vpmaddwd: int16 x int16 products summed in
// pairs into int32 lanes), for CPUs that have them; reference/gemm_kernels.h dispatches to it.
// Exact by construction: every product and partial sum is an integer in int32 range while
// K <= numerics::kMaxExactK (127^2 * 131072 < 2^31), and integer sums do not depend on order.
// Compiled with a per-function target attribute, so the library still runs on CPUs without
// AVX2 (avx2_available() says whether this path may be called).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace lockstep::reference {

// K rounded up to the 16-element step of the kernel (zeros pad: exact).
inline Eigen::Index padded_k(Eigen::Index k) {
  return (k + 15) / 16 * 16;
}

// values [rows, cols] as int8 rows of padded_k(cols) elements, zero-padded.
std::vector<std::int8_t> pack_int8_rows(const Eigen::MatrixXd& values);

bool avx2_available();

// acc(i, o) = x[i] . w[o] for o in [begin, end): x [n, kp] int16 and w [out, kp] int8, both
// row-major with kp = padded_k(K); acc column-major [n, out].
void int8_gemm_avx2(const std::int16_t* x, Eigen::Index n, Eigen::Index kp, const std::int8_t* w,
                    Eigen::Index begin, Eigen::Index end, Eigen::MatrixXd& acc);

}  // namespace lockstep::reference
