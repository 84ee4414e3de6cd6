// The cpu backend's invariances (DESIGN I6), compared as bytes, never with a tolerance:
// a sequence's logits digests and KV bytes are identical whether it runs alone or in a
// padded batch with random neighbours and random left padding; incremental decoding equals
// recomputation from scratch; packed equals padded. Plus the guards of the numerics contract
// and the model drafter; and the speed paths (issue 11): every GEMM kernel and every thread
// count give the same bytes.
#define BOOST_TEST_MODULE reference
#include <rapidcheck/boost_test.h>
#include <boost/test/unit_test.hpp>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include <cstring>

#include "reference/cpu_backend.h"
#include "reference/gemm_avx2.h"
#include "reference/gemm_kernels.h"
#include "reference/parallel.h"
#include "sim/error.h"
#include "sim/runner.h"
#include "tests/byte_invariance.h"
#include "tests/random_batch.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

using sim::Token;
using test::alone;
using test::in_padded_batch;
using test::packed;
using test::SequenceBytes;

BOOST_AUTO_TEST_CASE(padding_and_neighbours_change_no_byte) {
  const auto model = sim::preset("tiny", 3);
  test::Draw draw{7};
  // prefill of 12 tokens, one decode token, then a 6-token verify pass
  const std::vector<std::vector<Token>> chunks = {test::random_tokens(draw, 12, 256),
                                                  test::random_tokens(draw, 1, 256),
                                                  test::random_tokens(draw, 6, 256)};
  const SequenceBytes reference = alone(model, chunks);
  for (int rows : {2, 5, 16}) {
    std::vector<int> pads(static_cast<std::size_t>(rows));
    for (auto& p : pads) p = draw(64);
    const int target = draw(rows);
    BOOST_TEST((in_padded_batch(model, chunks, rows, target, pads, draw.state) == reference),
               "rows " << rows << " target " << target << " pad "
                       << pads[static_cast<std::size_t>(target)]);
  }
}

BOOST_AUTO_TEST_CASE(incremental_decoding_equals_recomputation) {
  const auto model = sim::preset("tiny", 5);
  test::Draw draw{11};
  const auto tokens = test::random_tokens(draw, 20, 256);
  std::vector<std::vector<Token>> one_by_one;
  for (Token t : tokens) one_by_one.push_back({t});
  BOOST_TEST((alone(model, one_by_one) == alone(model, {tokens})));
  BOOST_TEST((alone(model, {{tokens.begin(), tokens.begin() + 7},
                            {tokens.begin() + 7, tokens.end()}}) == alone(model, {tokens})));
}

BOOST_AUTO_TEST_CASE(changing_a_visible_token_changes_the_bytes) {
  // The equalities above could hold trivially if the model ignored its context.
  const auto model = sim::preset("tiny", 5);
  test::Draw draw{13};
  auto tokens = test::random_tokens(draw, 10, 256);
  const auto a = alone(model, {tokens});
  tokens[2] = (tokens[2] + 1) % 256;
  const auto b = alone(model, {tokens});
  BOOST_TEST(a.logits[1] == b.logits[1]);  // before the change: causal, unaffected
  BOOST_TEST(a.logits[9] != b.logits[9]);  // after it: affected
  BOOST_TEST(a.kv != b.kv);
}

RC_BOOST_PROP(batch_padding_and_shape_invariance, ()) {
  const auto model = sim::preset("tiny", *rc::gen::inRange<std::uint64_t>(0, 100));
  const int prompt = *rc::gen::inRange(1, 24);
  const int verify = *rc::gen::inRange(1, 9);
  const auto first = *rc::gen::container<std::vector<Token>>(static_cast<std::size_t>(prompt),
                                                             rc::gen::inRange(0, 256));
  const auto second = *rc::gen::container<std::vector<Token>>(static_cast<std::size_t>(verify),
                                                              rc::gen::inRange(0, 256));
  const SequenceBytes reference = alone(model, {first, second});
  // Incremental and packed-in-one-pass agree.
  std::vector<Token> all = first;
  all.insert(all.end(), second.begin(), second.end());
  const SequenceBytes whole = alone(model, {all});
  RC_ASSERT(whole.kv == reference.kv);
  RC_ASSERT(whole.logits == reference.logits);
  // Padded with neighbours agrees.
  const int rows = *rc::gen::inRange(2, 17);
  const int target = *rc::gen::inRange(0, rows);
  const auto pads = *rc::gen::container<std::vector<int>>(static_cast<std::size_t>(rows),
                                                          rc::gen::inRange(0, 64));
  RC_ASSERT(in_padded_batch(model, {first, second}, rows, target, pads,
                            *rc::gen::arbitrary<std::uint32_t>()) == reference);
}

BOOST_AUTO_TEST_CASE(every_strategy_on_every_scenario_is_equivalent_on_cpu) {
  reference::register_cpu_backend();
  for (const auto& file : test::scenario_files()) {
    sim::Scenario scenario = test::load_ready(file);
    scenario.backend = "cpu";
    if (scenario.name == "specbench") scenario.prompts.resize(4);  // keep the suite fast
    for (const auto& strategy : sim::strategy_names()) {
      scenario.strategy = strategy;
      scenario.window = std::max(scenario.window, scenario.batch_size);
      const auto run = verify::run_checked(scenario, verify::CheckOptions{});
      BOOST_TEST(run.ok(), scenario.name
                               << " / " << strategy << ": " << run.equivalent_sequences << " of "
                               << run.oracle.size() << " equivalent, " << run.violation_count
                               << " violations"
                               << (run.violations.empty() ? std::string()
                                                          : ": " + run.violations.front().detail));
    }
  }
}

BOOST_AUTO_TEST_CASE(target_derived_draft_shares_weights_and_accepts) {
  reference::register_cpu_backend();
  const sim::Scenario base =
      test::load_ready(test::source_path("scenarios/model_drafter_target_layers.json"));
  const auto run = verify::run_checked(base, verify::CheckOptions{});
  BOOST_TEST(run.ok());
  // A draft made of the target's first layer agrees with the target often enough to matter.
  BOOST_TEST(run.result.metrics.mean_tokens_per_step() > 1.2);
}

BOOST_AUTO_TEST_CASE(guards_reject_bad_shapes_and_capacity) {
  reference::CpuBackend backend;
  const auto model = sim::preset("tiny", 1);
  BOOST_CHECK_THROW(backend.create_cache(model, 1, 200000), InputError);
  const auto cache = backend.create_cache(model, 2, 16);
  sim::PackedBatch b = packed(cache, 0, {1, 2, 3}, 0);
  b.positions.pop_back();
  BOOST_CHECK_THROW(backend.forward_packed(b), ContractError);
  b = packed(cache, 0, {1, 2, 3}, 14);  // needs slots 14..16 of 16
  BOOST_CHECK_THROW(backend.forward_packed(b), ContractError);
  b = packed(cache, 0, {1, 2, 300}, 0);  // token outside the vocabulary
  BOOST_CHECK_THROW(backend.forward_packed(b), ContractError);
  BOOST_CHECK_THROW(backend.apply_moves(sim::MovePlan{cache, cache, {{0, 10, 1, 0, 8}}}),
                    ContractError);
}

BOOST_AUTO_TEST_CASE(big_presets_are_constructible) {
  auto store = std::make_shared<reference::WeightStore>();
  for (const char* name : {"vicuna-7b", "vicuna-68m", "small", "draft-tiny"}) {
    const reference::Model model(sim::preset(name, 1), store);
    BOOST_TEST(model.config().name == name);
  }
}

#if defined(__x86_64__)
BOOST_AUTO_TEST_CASE(flush_to_zero_is_refused) {
  const unsigned saved = _mm_getcsr();
  _mm_setcsr(saved | (1u << 15));
  BOOST_CHECK_THROW(reference::check_fp_environment(), InputError);
  _mm_setcsr(saved);
  BOOST_CHECK_NO_THROW(reference::check_fp_environment());
}
#endif

// Restores the process-wide speed settings after a test changes them.
struct SpeedSettings {
  int threads = reference::reference_threads();
  reference::GemmKernel kernel = reference::gemm_kernel();
  ~SpeedSettings() {
    reference::set_reference_threads(threads);
    reference::set_gemm_kernel(kernel);
  }
};

// Every output of a few random passes on `small` (logits as bytes, argmax, every row's KV
// digest), under the current kernel and thread count.
std::vector<std::uint64_t> pass_bytes(std::uint64_t seed) {
  const auto model = sim::preset("small", 2);
  reference::CpuBackend backend;
  backend.keep_logits(true);
  const test::BatchShape shape{.rows = 8, .capacity = 96, .vocab = model.vocab};
  const auto cache = backend.create_cache(model, shape.rows, shape.capacity);
  test::Draw draw{seed};
  std::vector<std::uint64_t> out;
  for (int pass = 0; pass < 4; ++pass) {
    sim::PaddedBatch batch = test::random_padded(draw, shape);
    batch.cache = cache;
    const auto result = backend.forward_padded(batch);
    const auto& logits = backend.last_logits();
    std::vector<std::uint32_t> bits(logits.size());
    std::memcpy(bits.data(), logits.data(), logits.size() * sizeof(float));
    out.insert(out.end(), bits.begin(), bits.end());
    out.insert(out.end(), result.argmax.begin(), result.argmax.end());
  }
  for (int r = 0; r < shape.rows; ++r)
    out.push_back(backend.kv_digest(cache, r, 0, shape.capacity));
  return out;
}

BOOST_AUTO_TEST_CASE(every_thread_count_and_gemm_kernel_gives_the_same_bytes) {
  const SpeedSettings restore;
  using reference::GemmKernel;
  reference::set_gemm_kernel(GemmKernel::double_serial);
  reference::set_reference_threads(1);
  const auto expected = pass_bytes(11);
  BOOST_TEST(expected.size() > 1000u);
  const std::pair<GemmKernel, int> paths[] = {
      {GemmKernel::float_threaded, 1}, {GemmKernel::float_threaded, 2},
      {GemmKernel::float_threaded, 5}, {GemmKernel::double_threaded, 3},
      {GemmKernel::int8_avx2, 1},      {GemmKernel::int8_avx2, 4}};
  for (const auto& [kernel, threads] : paths) {
    reference::set_gemm_kernel(kernel);
    reference::set_reference_threads(threads);
    BOOST_TEST((pass_bytes(11) == expected),
               "kernel " << static_cast<int>(kernel) << " threads " << threads);
  }
}

// K = 2 * 1040 + 17: three float chunks, and not a multiple of the AVX2 kernel's 16; every
// product at the int8 extremes, so a float chunk sum reaches 1040 * 127^2 (just under 2^24)
// and the total needs the integer addition of chunks. Every kernel, with and without the
// weights' prepared copies, against an int64 loop.
BOOST_AUTO_TEST_CASE(gemm_kernels_are_exact_at_the_int8_extremes) {
  const SpeedSettings restore;
  const int n = 7, out = 37, k = 2 * reference::kExactFloatChunk + 17;
  test::Draw draw{3};
  Eigen::MatrixXd x(n, k);
  reference::QuantMatrix w;
  w.values.resize(out, k);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < k; ++j) x(i, j) = i == 0 ? 127 : (draw(2) ? 127 : -127);
  for (int o = 0; o < out; ++o)
    for (int j = 0; j < k; ++j) w.values(o, j) = o == 0 ? 127 : draw(255) - 127;
  Eigen::MatrixXd expected(n, out);
  for (int i = 0; i < n; ++i) {
    for (int o = 0; o < out; ++o) {
      std::int64_t sum = 0;
      for (int j = 0; j < k; ++j)
        sum += static_cast<std::int64_t>(x(i, j)) * static_cast<std::int64_t>(w.values(o, j));
      expected(i, o) = static_cast<double>(sum);
    }
  }
  BOOST_TEST(expected(0, 0) == 127.0 * 127.0 * k);
  reference::set_reference_threads(3);
  using reference::GemmKernel;
  for (const bool prepared : {false, true}) {
    if (prepared) {
      w.values_f = w.values.cast<float>();
      w.values_i8 = reference::pack_int8_rows(w.values);
    }
    for (const auto kernel : {GemmKernel::double_serial, GemmKernel::double_threaded,
                              GemmKernel::float_threaded, GemmKernel::int8_avx2}) {
      reference::set_gemm_kernel(kernel);
      BOOST_TEST((reference::exact_gemm(x, w) == expected),
                 "kernel " << static_cast<int>(kernel) << " prepared " << prepared);
    }
  }
}

BOOST_AUTO_TEST_CASE(thread_count_setting_is_validated) {
  const SpeedSettings restore;
  BOOST_TEST(reference::parse_thread_count("3") == 3);
  for (const char* bad : {"", "0", "-2", "2x", "99999"})
    BOOST_CHECK_THROW(reference::parse_thread_count(bad), InputError);
  BOOST_CHECK_THROW(reference::set_reference_threads(0), InputError);
  reference::set_reference_threads(4);
  BOOST_TEST(reference::reference_threads() == 4);
  // A block's exception reaches the caller, after every block ended.
  BOOST_CHECK_THROW(reference::parallel_for(100, 1,
                                            [](std::size_t begin, std::size_t) {
                                              if (begin > 0) throw InputError("block failed");
                                            }),
                    InputError);
  std::vector<int> seen(1000, 0);
  reference::parallel_for(seen.size(), 7, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) ++seen[i];
  });
  BOOST_TEST((seen == std::vector<int>(1000, 1)));
}

}  // namespace
}  // namespace lockstep
