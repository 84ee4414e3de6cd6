// The probes of reference/probe.h. Timing is the calling thread's CPU seconds around whole
// calls (as `lockstep bench --clock thread` times passes): on a shared machine, waiting for a
// core is not the code's cost. Results feed volatile sinks so that the compiler cannot drop
// the measured work.
#include "reference/probe.h"

#include <time.h>

#include <algorithm>
#include <memory>
#include <numeric>

#include <Eigen/QR>

#include "numerics/host_math.h"
#include "numerics/tensor_ids.h"
#include "reference/gemm_avx2.h"
#include "reference/gemm_kernels.h"
#include "reference/model.h"
#include "reference/parallel.h"
#include "reference/weights.h"
#include "sim/error.h"

namespace lockstep::reference {
namespace {

using numerics::kGainHead;
using numerics::kGainProjection;
using numerics::tensor_id;
using numerics::TensorKind;

volatile double g_sink = 0;

// Runs the reference on the calling thread for its lifetime, then restores the thread count.
class OneThread {
 public:
  OneThread() : previous_(reference_threads()) { set_reference_threads(1); }
  ~OneThread() { set_reference_threads(previous_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int previous_;
};

double thread_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

template <typename Work>
double median_seconds(int repeats, Work&& work) {
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const double start = thread_seconds();
    work();
    seconds.push_back(thread_seconds() - start);
  }
  std::sort(seconds.begin(), seconds.end());
  return std::max(seconds[seconds.size() / 2], 1e-9);
}

double probe_bandwidth(const ProbeOptions& o) {
  std::vector<double> buffer(o.stream_bytes / sizeof(double), 1.0);
  const double seconds = median_seconds(o.repeats, [&] {
    // Four independent sums keep the adds from serialising on one dependency chain.
    double s[4] = {0, 0, 0, 0};
    const std::size_t n = buffer.size() / 4 * 4;
    for (std::size_t i = 0; i < n; i += 4) {
      s[0] += buffer[i];
      s[1] += buffer[i + 1];
      s[2] += buffer[i + 2];
      s[3] += buffer[i + 3];
    }
    g_sink = g_sink + s[0] + s[1] + s[2] + s[3];
  });
  return static_cast<double>(buffer.size() * sizeof(double)) / seconds;
}

// Weight bytes per second of the int8 kernel's one-row product (a GEMV, the decode pass)
// over int8 weights far past the caches: its streaming rate at 1 byte per weight, which is
// what the memory term prices for this kernel.
double probe_int8_weight_stream(const ProbeOptions& o) {
  constexpr Eigen::Index kWidth = 4096;  // a multiple of the kernel's 16-element step
  const Eigen::Index rows =
      std::max<Eigen::Index>(1, static_cast<Eigen::Index>(o.stream_bytes) / kWidth);
  std::vector<std::int8_t> w(static_cast<std::size_t>(rows * kWidth));
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = static_cast<std::int8_t>(static_cast<int>(i % 255) - 127);
  const std::vector<std::int16_t> x(static_cast<std::size_t>(kWidth), 3);
  Eigen::MatrixXd acc(1, rows);
  const double seconds = median_seconds(o.repeats, [&] {
    int8_gemm_avx2(x.data(), 1, kWidth, w.data(), 0, rows, acc);
    g_sink = g_sink + acc(0, 0);
  });
  return static_cast<double>(w.size()) / seconds;
}

// The `small` preset's gate projection (ffn 512 x d 256) at decode-, verify- and large-batch
// token counts, through exact_gemm: the kernel every projection of the cpu backend runs
// (reference/gemm_kernels.h; LOCKSTEP_GEMM_KERNEL selects it).
std::vector<GemmSample> probe_gemm(const ProbeOptions& o) {
  const sim::ModelConfig small = sim::preset("small", 1);
  WeightStore store;
  const auto w = store.get(small.seed, tensor_id(TensorKind::wg, 0), small.ffn, small.d_model,
                           kGainProjection);
  std::vector<GemmSample> samples;
  for (int rows : {16, 64, 256}) {
    Eigen::MatrixXd x(rows, small.d_model);
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = static_cast<double>(i % 255) - 127.0;
    const double seconds = median_seconds(o.repeats, [&] {
      const Eigen::MatrixXd acc = exact_gemm(x, *w);
      g_sink = g_sink + acc(0, 0);
    });
    const double ops = 2.0 * rows * small.d_model * small.ffn;
    samples.push_back({rows, small.d_model, small.ffn, ops / seconds});
  }
  return samples;
}

// Weight bytes per second of one walk over the weights as the kernel counts them
// (sim::weight_passes): the product of 1..8 rows on one weight matrix, its times fitted by
// least squares to fixed + per_row * rows + per_walk * walks(rows). Eigen runs one row as a
// GEMV straight off the weights and more rows as a GEMM that first packs them (one walk); the
// int8 kernel walks the weights once per block of 4 rows and once per leftover row. The
// matrix (2048 x 1024) is the size of a `small` target's weights: past L2, within L3.
double probe_weight_passes(const ProbeOptions& o, const sim::CpuKernel& kernel) {
  WeightStore store;
  const auto w = store.get(1, tensor_id(TensorKind::lm_head, -1), 2048, 1024, kGainHead);
  constexpr int kMaxRows = 8;
  Eigen::MatrixXd design(kMaxRows, 3);
  Eigen::VectorXd seconds(kMaxRows);
  for (int rows = 1; rows <= kMaxRows; ++rows) {
    Eigen::MatrixXd x = Eigen::MatrixXd::Constant(rows, w->cols(), 3.0);
    seconds(rows - 1) = median_seconds(2 * o.repeats + 1, [&] {
      const Eigen::MatrixXd acc = exact_gemm(x, *w);
      g_sink = g_sink + acc(0, 0);
    });
    design.row(rows - 1) << 1.0, rows, sim::weight_passes(kernel.passes, rows);
  }
  const Eigen::Vector3d fit = design.colPivHouseholderQr().solve(seconds);
  const double bytes = static_cast<double>(w->values.size()) * kernel.weight_bytes;
  // Never below the stream's own read time of one extra pass, so noise cannot make it huge.
  return bytes / std::max(fit(2), 1e-3 * seconds(0));
}

// One cache row of `slots` slots; `tokens` tokens each attending every slot.
double forward_seconds(Model& model, int tokens, int slots, int repeats) {
  std::vector<KvRow> cache{model.make_row(slots)};
  PassPlan plan;
  for (int i = 0; i < tokens; ++i) {
    plan.tokens.push_back(1);
    plan.positions.push_back(i);
    plan.rows.push_back(0);
    plan.write_slots.push_back(i);
    plan.visible_offsets.push_back(static_cast<std::int32_t>(plan.visible.size()));
    for (int s = 0; s < slots; ++s) plan.visible.push_back(s);
  }
  plan.visible_offsets.push_back(static_cast<std::int32_t>(plan.visible.size()));
  return median_seconds(repeats, [&] {
    const PassResult r = model.forward(plan, cache, slots);
    g_sink = g_sink + static_cast<double>(r.argmax.front());
  });
}

sim::ModelConfig probe_model(int d_model, int n_heads, int ffn) {
  sim::ModelConfig c;
  c.name = "probe";
  c.vocab = 2;
  c.d_model = d_model;
  c.n_layers = 1;
  c.n_heads = n_heads;
  c.n_kv_heads = 1;
  c.head_dim = d_model / n_heads;
  c.ffn = ffn;
  c.seed = 1;
  return c;
}

// Attention ops per second: the difference of a long and a one-slot pass of a one-layer model
// whose projections are negligible next to its attention.
double probe_attention(const ProbeOptions& o) {
  const sim::ModelConfig c = probe_model(64, 2, 2);
  Model model(c, std::make_shared<WeightStore>());
  constexpr int kTokens = 8;
  const double base = forward_seconds(model, kTokens, kTokens, o.repeats);
  const double full = forward_seconds(model, kTokens, o.attention_slots, o.repeats);
  const double ops = 4.0 * kTokens * (o.attention_slots - kTokens) * c.n_heads * c.head_dim;
  return ops / std::max(full - base, 1e-9);
}

// A one-token pass of the smallest valid model: what a pass costs beyond its arithmetic, per
// step (one layer plus the head, the cost model's n_layers + 1).
double probe_step(const ProbeOptions& o) {
  Model model(probe_model(2, 1, 1), std::make_shared<WeightStore>());
  forward_seconds(model, 1, 1, 1);  // weights and RoPE built outside the timing
  return forward_seconds(model, 1, 1, 4 * o.repeats) / 2.0;
}

}  // namespace

ProbeReport run_probe(const ProbeOptions& options) {
  if (options.stream_bytes < 4 * sizeof(double) || options.repeats < 1 ||
      options.attention_slots < 16)
    throw InputError("probe: need stream_bytes >= 32, repeats >= 1 and attention_slots >= 16");
  check_fp_environment();
  const auto kernel = sim::cpu_kernel(gemm_kernel_name(effective_gemm_kernel()));
  require(kernel.has_value(), "probe: the GEMM kernel has no cost profile (sim::cpu_kernels)");
  // The thread's CPU clock does not see worker threads: measure on this thread alone, as
  // `bench --clock thread` runs the passes the profile is fitted to.
  const OneThread one_thread;
  ProbeReport report;
  report.probe.gemm_kernel = kernel->name;
  // The int8 kernel reads its own 1-byte rows; Eigen's kernels stream doubles or floats.
  report.probe.bandwidth = kernel->passes == sim::WeightPasses::int8_blocks_of_4
                               ? probe_int8_weight_stream(options)
                               : probe_bandwidth(options);
  report.gemm = probe_gemm(options);
  std::vector<double> rates;
  for (const auto& s : report.gemm) rates.push_back(s.ops_per_second);
  std::sort(rates.begin(), rates.end());
  report.probe.gemm_ops = rates[rates.size() / 2];
  report.probe.attention_ops = probe_attention(options);
  report.probe.step_seconds = probe_step(options);
  report.probe.pack_bandwidth = probe_weight_passes(options, *kernel);
  return report;
}

}  // namespace lockstep::reference
