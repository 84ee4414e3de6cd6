#include "reference/gemm_kernels.h"

#include <algorithm>
#include <atomic>

#include "reference/parallel.h"

namespace lockstep::reference {
namespace {

static_assert(static_cast<long long>(kExactFloatChunk) * 127 * 127 < (1LL << 24),
              "a float chunk sum of int8 products must stay below 2^24");

std::atomic<GemmKernel> g_kernel{GemmKernel::float_threaded};

// Output channels per block: enough multiply-adds per block that waking a thread pays off.
std::size_t channel_grain(Eigen::Index n, Eigen::Index k) {
  constexpr double kMinMacsPerBlock = 1 << 17;
  const double per_channel = static_cast<double>(std::max<Eigen::Index>(n * k, 1));
  return static_cast<std::size_t>(std::max(8.0, kMinMacsPerBlock / per_channel));
}

Eigen::MatrixXd double_threaded(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) {
  Eigen::MatrixXd acc(x.rows(), w.rows());  // column-major: a channel block is contiguous
  parallel_for(static_cast<std::size_t>(w.rows()), channel_grain(x.rows(), x.cols()),
               [&](std::size_t begin, std::size_t end) {
                 const auto b = static_cast<Eigen::Index>(begin);
                 const auto count = static_cast<Eigen::Index>(end - begin);
                 acc.middleCols(b, count).noalias() = x * w.middleRows(b, count).transpose();
               });
  return acc;
}

// One block of channels [begin, end): float GEMM per K chunk, chunk sums added in double.
void float_block(const Eigen::MatrixXf& x, const Eigen::MatrixXf& w, Eigen::Index begin,
                 Eigen::Index count, Eigen::MatrixXd& acc) {
  Eigen::MatrixXf part(x.rows(), count);
  for (Eigen::Index k0 = 0; k0 < x.cols(); k0 += kExactFloatChunk) {
    const Eigen::Index width = std::min<Eigen::Index>(kExactFloatChunk, x.cols() - k0);
    part.noalias() = x.middleCols(k0, width) * w.block(begin, k0, count, width).transpose();
    if (k0 == 0) {
      acc.middleCols(begin, count) = part.cast<double>();
    } else {
      acc.middleCols(begin, count) += part.cast<double>();
    }
  }
}

Eigen::MatrixXd float_threaded(const Eigen::MatrixXd& x, const QuantMatrix& w) {
  const Eigen::MatrixXf xf = x.cast<float>();
  // Weights from a WeightStore carry their float copy; others (tests) are converted here.
  const bool has_float =
      w.values_f.rows() == w.values.rows() && w.values_f.cols() == w.values.cols();
  const Eigen::MatrixXf converted = has_float ? Eigen::MatrixXf() : w.values.cast<float>();
  const Eigen::MatrixXf& wf = has_float ? w.values_f : converted;
  Eigen::MatrixXd acc(x.rows(), wf.rows());
  if (x.cols() == 0) {
    acc.setZero();
    return acc;
  }
  parallel_for(static_cast<std::size_t>(wf.rows()), channel_grain(x.rows(), x.cols()),
               [&](std::size_t begin, std::size_t end) {
                 float_block(xf, wf, static_cast<Eigen::Index>(begin),
                             static_cast<Eigen::Index>(end - begin), acc);
               });
  return acc;
}

}  // namespace

GemmKernel gemm_kernel() {
  return g_kernel.load();
}

void set_gemm_kernel(GemmKernel kernel) {
  g_kernel.store(kernel);
}

Eigen::MatrixXd exact_gemm(const Eigen::MatrixXd& x, const QuantMatrix& w) {
  switch (gemm_kernel()) {
    case GemmKernel::double_serial:
      return x * w.values.transpose();
    case GemmKernel::double_threaded:
      return double_threaded(x, w.values);
    case GemmKernel::float_threaded:
      break;
  }
  return float_threaded(x, w);
}

}  // namespace lockstep::reference
