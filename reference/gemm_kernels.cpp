#include "reference/gemm_kernels.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>

#include "numerics/numerics.h"
#include "reference/gemm_avx2.h"
#include "reference/parallel.h"
#include "sim/error.h"

namespace lockstep::reference {
namespace {

static_assert(static_cast<long long>(kExactFloatChunk) * 127 * 127 < (1LL << 24),
              "a float chunk sum of int8 products must stay below 2^24");

// LOCKSTEP_GEMM_KERNEL picks the kernel for a whole process (a measurement of one code path,
// e.g. the cost model's, docs/results/cpu-cost-model/measure.sh); every kernel gives the same
// bytes, so it changes speed only.
constexpr GemmKernel kAllKernels[] = {GemmKernel::double_serial, GemmKernel::double_threaded,
                                      GemmKernel::float_threaded, GemmKernel::int8_avx2};

GemmKernel initial_kernel() {
  const char* text = std::getenv("LOCKSTEP_GEMM_KERNEL");
  if (text == nullptr) return GemmKernel::int8_avx2;
  const std::string name = text;
  for (const GemmKernel kernel : kAllKernels)
    if (name == gemm_kernel_name(kernel)) return kernel;
  throw InputError(
      "LOCKSTEP_GEMM_KERNEL must be double_serial, double_threaded, float_threaded or "
      "int8_avx2, got '" +
      name + "'");
}

std::atomic<GemmKernel> g_kernel{GemmKernel::int8_avx2};
std::once_flag g_kernel_from_env;

void read_kernel_from_env() {
  std::call_once(g_kernel_from_env, [] { g_kernel.store(initial_kernel()); });
}

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

// x as int16 rows of padded_k(K) (zeros pad), then channel blocks on the AVX2 kernel.
Eigen::MatrixXd int8_threaded(const Eigen::MatrixXd& x, const QuantMatrix& w) {
  const Eigen::Index n = x.rows(), kp = padded_k(x.cols());
  std::vector<std::int16_t> xi(static_cast<std::size_t>(n * kp), 0);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index k = 0; k < x.cols(); ++k)
      xi[static_cast<std::size_t>(i * kp + k)] = static_cast<std::int16_t>(x(i, k));
  // Weights from a WeightStore carry their packed copy; others (tests) are packed here.
  const bool packed = w.values_i8.size() == static_cast<std::size_t>(w.values.rows() * kp);
  const std::vector<std::int8_t> converted =
      packed ? std::vector<std::int8_t>() : pack_int8_rows(w.values);
  const std::int8_t* wp = packed ? w.values_i8.data() : converted.data();
  Eigen::MatrixXd acc(n, w.values.rows());
  parallel_for(static_cast<std::size_t>(w.values.rows()), channel_grain(n, x.cols()),
               [&](std::size_t begin, std::size_t end) {
                 int8_gemm_avx2(xi.data(), n, kp, wp, static_cast<Eigen::Index>(begin),
                                static_cast<Eigen::Index>(end), acc);
               });
  return acc;
}

}  // namespace

GemmKernel gemm_kernel() {
  read_kernel_from_env();
  return g_kernel.load();
}

void set_gemm_kernel(GemmKernel kernel) {
  read_kernel_from_env();
  g_kernel.store(kernel);
}

GemmKernel effective_gemm_kernel() {
  const GemmKernel kernel = gemm_kernel();
  return kernel == GemmKernel::int8_avx2 && !avx2_available() ? GemmKernel::float_threaded : kernel;
}

const char* gemm_kernel_name(GemmKernel kernel) {
  switch (kernel) {
    case GemmKernel::double_serial:
      return "double_serial";
    case GemmKernel::double_threaded:
      return "double_threaded";
    case GemmKernel::float_threaded:
      return "float_threaded";
    case GemmKernel::int8_avx2:
      break;
  }
  return "int8_avx2";
}

Eigen::MatrixXd exact_gemm(const Eigen::MatrixXd& x, const QuantMatrix& w) {
  require(x.cols() == w.values.cols(), "exact_gemm: input width does not match the weight");
  require(x.cols() <= numerics::kMaxExactK, "exact_gemm: K exceeds the exact int32 bound");
  switch (gemm_kernel()) {
    case GemmKernel::double_serial:
      return x * w.values.transpose();
    case GemmKernel::double_threaded:
      return double_threaded(x, w.values);
    case GemmKernel::float_threaded:
      break;
    case GemmKernel::int8_avx2:
      if (avx2_available()) return int8_threaded(x, w);
      break;
  }
  return float_threaded(x, w);
}

}  // namespace lockstep::reference
