// The two ops of the loaded-weights path's 16-bit activations (docs/numerics.md §13), twins of
// gpu/k_quantize_split.cu and gpu/k_dequantize_split.cu: a row quantized to 16 bits and split
// into two int8 digit rows (radix 255), so that the unchanged int8 GEMM (ops::gemm) multiplies
// both halves in one product over 2N rows; then the epilogue that recombines the two int32
// accumulators exactly in int64 and dequantizes. Not here: the int8 path (ops.h).
#pragma once

#include <Eigen/Core>
#include <vector>

#include "reference/ops.h"

namespace lockstep::reference::ops {

// x [N, K] -> values [2N, K]: rows 0..N-1 the high digits, rows N..2N-1 the low digits of each
// row's 16-bit integers; factor [N]: the row's 16-bit scale, or (with `rms`) its RMSNorm
// factor with epsilon `rms_eps` (x^2 units).
QuantizedRows quantize_rows_split(const Activations& x, bool rms, float rms_eps);

// acc [2N, out] (high rows then low rows, as quantize_rows_split laid them out) ->
// y [N, out] = dequantize_split(255 * acc_high + acc_low, w_scale[o], factor[i]); with
// `accumulate`, y plus that (the residual add, one rounded float addition).
void dequantize_split(const Eigen::MatrixXd& acc, const std::vector<float>& w_scale,
                      const std::vector<float>& factor, Activations& y, bool accumulate);

}  // namespace lockstep::reference::ops
