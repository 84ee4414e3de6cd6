// The exact reference transformer's speed: one verify pass (batch 8, k = 5: 6 tokens per
// row) and one decode pass (batch 8, one token per row) over 64 cached tokens per row, for
// `tiny` and `small`; beside them the rate of the Eigen double GEMM that carries the int8
// products, measured in the same run, so the two figures compare on the same machine state.
// GOPS counts 2 operations per multiply-add of every projection, the LM head and attention.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "reference/cpu_backend.h"

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

void BM_pass(benchmark::State& state, const std::string& preset, int tokens) {
  reference::CpuBackend backend;
  const auto model = sim::preset(preset, 1);
  const auto cache = backend.create_cache(model, kRows, kContext + 8);
  backend.forward_padded(pass(cache, 0, kContext));  // the cached context
  const sim::PaddedBatch step = pass(cache, kContext, tokens);
  for (auto _ : state) benchmark::DoNotOptimize(backend.forward_padded(step).argmax.data());
  const double ops = ops_per_token(model, kContext + tokens) * kRows * tokens;
  state.counters["GOPS"] =
      benchmark::Counter(ops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
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

BENCHMARK_CAPTURE(BM_pass, tiny_verify_b8_k5, std::string("tiny"), 6)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_pass, tiny_decode_b8, std::string("tiny"), 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_pass, small_verify_b8_k5, std::string("small"), 6)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_pass, small_decode_b8, std::string("small"), 1)->Unit(benchmark::kMicrosecond);
// The GEMM shapes of `small`'s verify pass (48 tokens x 256 -> 512) and a square reference.
BENCHMARK(BM_eigen_double_gemm)
    ->Args({48, 256, 512})
    ->Args({8, 256, 512})
    ->Args({256, 256, 256})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace lockstep

BENCHMARK_MAIN();
