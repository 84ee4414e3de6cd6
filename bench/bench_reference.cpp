// The exact reference transformer's speed: one verify pass (batch 8, k = 5: 6 tokens per
// row) and one decode pass (batch 8, one token per row) over 64 cached tokens per row, for
// `tiny` and `small`; beside them the rate of the Eigen double GEMM that carries the int8
// products, measured in the same run, so the two figures compare on the same machine state.
// GOPS counts 2 operations per multiply-add of every projection, the LM head and attention.
//
// The passes and GEMMs take a code path argument so that one run times the old and the new
// path under the same machine load (issue 11): 0 = previous (double GEMM, one thread),
// 1 = double GEMM threaded, 2 = float chunked GEMM threaded, 3 = AVX2 int8 GEMM threaded (the
// default; float where the CPU lacks AVX2). Threaded paths use
// reference_threads() (LOCKSTEP_THREADS). CPU time counts the calling thread only, so with
// threads compare real time: GOPS_wall is operations per wall-clock second.
#include <benchmark/benchmark.h>

#include <chrono>

#include <Eigen/Core>

#include "reference/cpu_backend.h"
#include "reference/gemm_avx2.h"
#include "reference/gemm_kernels.h"
#include "reference/parallel.h"

namespace lockstep {
namespace {

constexpr int kRows = 8;
constexpr int kContext = 64;

double ops_per_token(const sim::ModelConfig& c, int context) {
  const double d = c.d_model, q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim, f = c.ffn;
  const double per_layer = 2.0 * (d * q + 2.0 * d * kv + q * d + 3.0 * d * f) + 4.0 * context * q;
  return c.n_layers * per_layer + 2.0 * d * c.vocab;
}

sim::PaddedBatch pass(sim::CacheId cache, int past, int tokens) {
  sim::PaddedBatch b;
  b.cache = cache;
  b.rows = kRows;
  b.past = past;
  b.tokens = tokens;
  for (int r = 0; r < kRows; ++r) {
    b.cache_rows.push_back(r);
    for (int s = 0; s < past + tokens; ++s) b.mask.push_back(1);
    for (int t = 0; t < tokens; ++t) {
      b.input_ids.push_back((r * 31 + t * 7 + past) % 200);
      b.positions.push_back(past + t);
      b.write_slots.push_back(past + t);
      b.tags.push_back({r, past + t});
    }
  }
  return b;
}

// Selects a code path for the scope of one benchmark and restores the defaults after it.
class PathScope {
 public:
  explicit PathScope(std::int64_t path) : threads_(reference::reference_threads()) {
    const reference::GemmKernel kernels[] = {
        reference::GemmKernel::double_serial, reference::GemmKernel::double_threaded,
        reference::GemmKernel::float_threaded, reference::GemmKernel::int8_avx2};
    reference::set_gemm_kernel(kernels[path]);
    if (path == 0) reference::set_reference_threads(1);
  }
  ~PathScope() {
    reference::set_gemm_kernel(reference::GemmKernel::int8_avx2);
    reference::set_reference_threads(threads_);
  }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  int threads_;
};

// Times the loop on the wall clock, for GOPS_wall.
template <typename Body>
void timed_loop(benchmark::State& state, double ops_per_iteration, Body body) {
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) body();
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
  const double ops = ops_per_iteration * static_cast<double>(state.iterations());
  state.counters["GOPS"] =
      benchmark::Counter(ops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GOPS_wall"] = ops * 1e-9 / wall.count();
}

void BM_pass(benchmark::State& state, const std::string& preset, int tokens) {
  const PathScope path(state.range(0));
  reference::CpuBackend backend;
  const auto model = sim::preset(preset, 1);
  const auto cache = backend.create_cache(model, kRows, kContext + 8);
  backend.forward_padded(pass(cache, 0, kContext));  // the cached context
  const sim::PaddedBatch step = pass(cache, kContext, tokens);
  const double ops = ops_per_token(model, kContext + tokens) * kRows * tokens;
  timed_loop(state, ops,
             [&] { benchmark::DoNotOptimize(backend.forward_padded(step).argmax.data()); });
}

// The exact GEMM of ops::gemm on int8-valued inputs [m, k] x [n, k]^T, per code path.
void BM_exact_gemm(benchmark::State& state) {
  const PathScope path(state.range(3));
  const auto m = state.range(0), k = state.range(1), n = state.range(2);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Constant(m, k, 3.0);
  reference::QuantMatrix w;
  w.values = Eigen::MatrixXd::Constant(n, k, -5.0);
  w.values_f = w.values.cast<float>();  // as a WeightStore prepares them
  w.values_i8 = reference::pack_int8_rows(w.values);
  const double ops = 2.0 * static_cast<double>(m * k * n);
  timed_loop(state, ops, [&] { benchmark::DoNotOptimize(reference::exact_gemm(a, w).data()); });
}

void BM_eigen_double_gemm(benchmark::State& state) {
  const auto m = state.range(0), k = state.range(1), n = state.range(2);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Constant(m, k, 3.0);
  const Eigen::MatrixXd b = Eigen::MatrixXd::Constant(n, k, -5.0);
  Eigen::MatrixXd c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b.transpose();
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GOPS"] = benchmark::Counter(2.0 * static_cast<double>(m * k * n) * 1e-9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

// Every pass once per code path.
void per_path(benchmark::internal::Benchmark* b) {
  b->ArgName("path")->DenseRange(0, 3)->Unit(benchmark::kMicrosecond);
}

BENCHMARK_CAPTURE(BM_pass, tiny_verify_b8_k5, std::string("tiny"), 6)->Apply(per_path);
BENCHMARK_CAPTURE(BM_pass, tiny_decode_b8, std::string("tiny"), 1)->Apply(per_path);
BENCHMARK_CAPTURE(BM_pass, small_verify_b8_k5, std::string("small"), 6)->Apply(per_path);
BENCHMARK_CAPTURE(BM_pass, small_decode_b8, std::string("small"), 1)->Apply(per_path);
// small's verify GEMM shapes per path: 48 tokens x 256 -> 512, and K = 2080 (two float chunks).
BENCHMARK(BM_exact_gemm)
    ->ArgNames({"m", "k", "n", "path"})
    ->ArgsProduct({{48}, {256}, {512}, {0, 1, 2, 3}})
    ->ArgsProduct({{48}, {2080}, {512}, {0, 1, 2, 3}})
    ->Unit(benchmark::kMicrosecond);
// The GEMM shapes of `small`'s verify pass (48 tokens x 256 -> 512) and a square reference.
BENCHMARK(BM_eigen_double_gemm)
    ->Args({48, 256, 512})
    ->Args({8, 256, 512})
    ->Args({256, 256, 256})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockstep

BENCHMARK_MAIN();
