#include "reference/ops_split.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "numerics/split16.h"
#include "reference/parallel.h"
#include "sim/error.h"

namespace lockstep::reference::ops {
QuantizedRows quantize_rows_split(const Activations& x, bool rms, float rms_eps) {
  const Eigen::Index n = x.rows();
  QuantizedRows q;
  q.values.resize(2 * n, x.cols());
  q.factor.resize(static_cast<std::size_t>(n));
  for_each_row(n, x.cols(), [&](Eigen::Index i) {
    float amax = 0.0f;
    for (Eigen::Index j = 0; j < x.cols(); ++j) amax = std::max(amax, std::fabs(x(i, j)));
    const float scale = numerics::split_scale(amax);
    std::int64_t sum_sq = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const std::int32_t v = numerics::quantize_split16(x(i, j), scale);
      q.values(i, j) = numerics::split_high(v);
      q.values(n + i, j) = numerics::split_low(v);
      sum_sq += static_cast<std::int64_t>(v) * v;
    }
    q.factor[static_cast<std::size_t>(i)] =
        rms ? numerics::rms_factor_split(sum_sq, static_cast<int>(x.cols()), rms_eps, scale)
            : scale;
  });
  return q;
}

void dequantize_split(const Eigen::MatrixXd& acc, const std::vector<float>& w_scale,
                      const std::vector<float>& factor, Activations& y, bool accumulate) {
  const auto n = static_cast<Eigen::Index>(factor.size());
  require(acc.rows() == 2 * n && w_scale.size() == static_cast<std::size_t>(acc.cols()),
          "dequantize_split: scales do not match the accumulators [2N, out]");
  if (accumulate) {
    require(y.rows() == n && y.cols() == acc.cols(),
            "dequantize_split: the accumulated output does not match the accumulators");
  } else {
    y.resize(n, acc.cols());
  }
  for_each_row(n, acc.cols(), [&](Eigen::Index i) {
    for (Eigen::Index o = 0; o < acc.cols(); ++o) {
      const std::int64_t whole = numerics::combine_split(static_cast<std::int32_t>(acc(i, o)),
                                                         static_cast<std::int32_t>(acc(n + i, o)));
      const float value = numerics::dequantize_split(whole, w_scale[static_cast<std::size_t>(o)],
                                                     factor[static_cast<std::size_t>(i)]);
      y(i, o) = accumulate ? y(i, o) + value : value;
    }
  });
}

}  // namespace lockstep::reference::ops
