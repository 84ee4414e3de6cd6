// The exact int8 GEMM behind ops::gemm, in four interchangeable kernels that return the same
// integers (so the same bytes downstream):
//   double_serial    Eigen's double product on one thread (the code path before issue 11);
//   double_threaded  the same product, output channels split across reference_threads();
//   float_threaded   Eigen's float product per K chunk of at most kExactFloatChunk, output
//                    channels split across threads, chunks added as integers;
//   int8_avx2        AVX2 integer dot products (reference/gemm_avx2.h), channels split across
//                    threads; where the CPU lacks AVX2 it runs float_threaded instead.
// Why float is exact: |int8 x int8| <= 127 * 127 < 2^14, so a float sum of up to 1040 such
// products stays below 2^24, where every integer is a float and no addition rounds, whatever
// the order; the chunk sums are then added in double (integers < 2^53: exact too).
// The kernel is a process-wide setting (default int8_avx2, the fastest by measurement, then
// float_threaded: docs/results/2026-11-30-cpu-reference-speed.md) so benchmarks can time the
// old path in the same run.
#pragma once

#include <Eigen/Core>

#include "reference/weights.h"

namespace lockstep::reference {

enum class GemmKernel { double_serial, double_threaded, float_threaded, int8_avx2 };

// The largest K a float chunk may sum exactly: 1040 * 127^2 = 16,774,160 < 2^24.
inline constexpr int kExactFloatChunk = 1040;

GemmKernel gemm_kernel();
void set_gemm_kernel(GemmKernel kernel);
// The kernel exact_gemm runs now: gemm_kernel(), except that int8_avx2 runs float_threaded on
// a CPU without AVX2. What a cost profile must be probed on (sim/cost_cpu.h).
GemmKernel effective_gemm_kernel();
// The name LOCKSTEP_GEMM_KERNEL and the cost profile use ("int8_avx2").
const char* gemm_kernel_name(GemmKernel kernel);

// acc[N, out] = x[N, K] . w^T with the current kernel; x and w hold integers in [-127, 127].
// Requires x's K == w's and K <= numerics::kMaxExactK (ContractError otherwise).
Eigen::MatrixXd exact_gemm(const Eigen::MatrixXd& x, const QuantMatrix& w);

}  // namespace lockstep::reference
