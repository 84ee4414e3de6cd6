// Host-side tests of the gpu runtime that need no device (they run in CI and here):
//   * numerics/numerics.h (and gpu/float_math.h, the float profiles' steps) compiled by nvcc's
//     host pass gives the same bits as the g++ build,
//     and so do the sampling headers (numerics/philox.h, numerics/sample_draw.h);
//   * plan building: the per-token plan the gpu backend uploads is the reference's plan, and
//     resolving duplicate writes keeps the reference's "last writer wins";
//   * argument checks: the GEMM padding, the plan packing, and `GpuBackend` without a device
//     (reported as skipped where a device is present: that path cannot be taken there).
#define BOOST_TEST_MODULE gpu_host
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gpu/float_math.h"
#include "gpu/gpu_backend.h"
#include "gpu/host_policy.h"
#include "gpu/plan.h"
#include "numerics/bf16.h"
#include "reference/cpu_backend.h"
#include "reference/model.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/model_config.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/float_math_cases.h"
#include "tests/gpu/numerics_cases.h"
#include "tests/gpu/sample_cases.h"
#include "tests/random_batch.h"

namespace lockstep::test_numerics {
int cxx_numerics(std::uint32_t* out);
int nvcc_host_numerics(std::uint32_t* out);
int cxx_sample_cases(std::uint64_t* out);
int nvcc_host_sample_cases(std::uint64_t* out);
int cxx_float_cases(std::uint32_t* out);
int nvcc_host_float_cases(std::uint32_t* out);
}  // namespace lockstep::test_numerics

namespace {

using namespace lockstep;

std::vector<std::uint32_t> run_cases(int (*fn)(std::uint32_t*)) {
  std::vector<std::uint32_t> out(test_numerics::kMaxCases);
  out.resize(static_cast<std::size_t>(fn(out.data())));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(numerics_header_compiled_by_nvcc_host_pass_gives_the_g_plus_plus_bits) {
  const auto cxx = run_cases(&test_numerics::cxx_numerics);
  const auto nvcc = run_cases(&test_numerics::nvcc_host_numerics);
  BOOST_TEST(cxx.size() > 10000u);
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, nvcc, "numerics cases, g++ vs nvcc host pass", 0);
}

BOOST_AUTO_TEST_CASE(sampling_headers_compiled_by_nvcc_host_pass_give_the_g_plus_plus_bits) {
  std::vector<std::uint64_t> cxx(test_numerics::kMaxSampleCases);
  std::vector<std::uint64_t> nvcc(test_numerics::kMaxSampleCases);
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_sample_cases(cxx.data())));
  nvcc.resize(static_cast<std::size_t>(test_numerics::nvcc_host_sample_cases(nvcc.data())));
  BOOST_TEST(cxx.size() > 1500u);
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, nvcc, "sampling cases, g++ vs nvcc host pass", 0);
}

BOOST_AUTO_TEST_CASE(float_math_compiled_by_nvcc_host_pass_gives_the_g_plus_plus_bits) {
  std::vector<std::uint32_t> cxx(test_numerics::kMaxFloatCases), nvcc(cxx.size());
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_float_cases(cxx.data())));
  nvcc.resize(static_cast<std::size_t>(test_numerics::nvcc_host_float_cases(nvcc.data())));
  BOOST_TEST(cxx.size() > 6000u);
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, nvcc, "float_math cases, g++ vs nvcc host pass", 0);
}

// The kernels' bf16 rounding is numerics/bf16.h's, which the cpu bf16 profile uses: every
// sign and exponent with a spread of mantissas, ties and NaN payloads included.
BOOST_AUTO_TEST_CASE(float_math_bf16_rounding_equals_the_cpu_profiles) {
  int differences = 0;
  for (std::uint64_t i = 0; i < (1u << 22); ++i) {
    const auto bits = static_cast<std::uint32_t>(i * 1024u + (i % 3 == 0 ? 0x8000u : i % 1024u));
    const float x = numerics::bits_to_float(bits);
    const float a = gpu::float_math::round_bf16(x), b = numerics::round_to_bf16(x);
    if (gpu::float_math::float_to_bits(a) != gpu::float_math::float_to_bits(b)) ++differences;
  }
  BOOST_TEST(differences == 0);
  // Pinned cases: ties to even both ways, overflow to inf, a signalling NaN made quiet.
  const std::pair<std::uint32_t, std::uint32_t> pinned[] = {{0x3f808000u, 0x3f800000u},
                                                            {0x3f818000u, 0x3f820000u},
                                                            {0x3f808001u, 0x3f810000u},
                                                            {0x7f7fffffu, 0x7f800000u},
                                                            {0x7f800001u, 0x7fc00000u}};
  for (const auto& [in, expected] : pinned) {
    BOOST_TEST(gpu::float_math::float_to_bits(
                   gpu::float_math::round_bf16(numerics::bits_to_float(in))) == expected);
  }
}

BOOST_AUTO_TEST_CASE(gemm_padding_is_to_multiples_of_16) {
  BOOST_TEST(gpu::pad16(1) == 16);
  BOOST_TEST(gpu::pad16(16) == 16);
  BOOST_TEST(gpu::pad16(17) == 32);
  BOOST_TEST(gpu::pad16(0) == 0);
  BOOST_TEST(gpu::pad16(11008) == 11008);
  BOOST_TEST(gpu::pad16(32001) == 32016);
}

BOOST_AUTO_TEST_CASE(token_padding_option_is_validated) {
  BOOST_TEST(gpu::parse_token_pad("32") == 32);
  BOOST_TEST(gpu::parse_token_pad("256") == 256);
  for (const char* bad : {"", "0", "8", "24", "272", "-16", "32x", "x"})
    BOOST_CHECK_THROW(gpu::parse_token_pad(bad), InputError);
  BOOST_CHECK_THROW(gpu::validate_token_pad(48 + 1, "test"), InputError);
  BOOST_TEST(gpu::pad_tokens(1, 16) == 16);
  BOOST_TEST(gpu::pad_tokens(1, 32) == 32);
  BOOST_TEST(gpu::pad_tokens(33, 32) == 64);
  BOOST_TEST(gpu::pad_tokens(0, 32) == 0);
  BOOST_TEST(gpu::pad_tokens(48, 16) == gpu::pad16(48));
  BOOST_CHECK_THROW(gpu::pad_tokens(5, 20), InputError);
}

BOOST_AUTO_TEST_CASE(rope_table_grows_geometrically) {
  BOOST_TEST(gpu::rope_table_rows(0, 0) == 0);
  BOOST_TEST(gpu::rope_table_rows(0, 5) == 64);
  BOOST_TEST(gpu::rope_table_rows(64, 64) == 64);
  BOOST_TEST(gpu::rope_table_rows(64, 65) == 128);
  BOOST_TEST(gpu::rope_table_rows(64, 1000) == 1000);
  // Positions growing one at a time up to 100000: a logarithmic number of uploads.
  int rows = 0, uploads = 0;
  for (int needed = 1; needed <= 100000; ++needed) {
    const int next = gpu::rope_table_rows(rows, needed);
    BOOST_TEST_REQUIRE(next >= needed);
    if (next != rows) ++uploads;
    rows = next;
  }
  BOOST_TEST(uploads <= 12);
  BOOST_CHECK_THROW(gpu::rope_table_rows(-1, 3), ContractError);
}

BOOST_AUTO_TEST_CASE(gemm_errors_name_m_n_and_k) {
  BOOST_TEST(gpu::with_gemm_shape("cuBLAS error", 32, 512, 256) ==
             "cuBLAS error (GEMM M=32 N=512 K=256)");
  try {
    gpu::naming_gemm_shape(16, 48, 64, []() -> int { throw ContractError("matmul failed"); });
    BOOST_FAIL("no exception");
  } catch (const ContractError& e) {
    BOOST_TEST(std::string(e.what()).find("M=16 N=48 K=64") != std::string::npos);
  }
  BOOST_CHECK_THROW(gpu::naming_gemm_shape(16, 16, 16, [] { throw InputError("no memory"); }),
                    InputError);
  BOOST_TEST(gpu::naming_gemm_shape(16, 16, 16, [] { return 7; }) == 7);
}

// The gpu plan, run through the reference model, gives exactly CpuBackend's outputs and KV:
// the plan the gpu uploads is the reference's plan.
BOOST_AUTO_TEST_CASE(padded_and_packed_plans_equal_the_reference_plans) {
  const auto config = sim::preset("tiny", 3);
  constexpr int kRows = 4;
  constexpr int kCapacity = 24;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    reference::CpuBackend cpu;
    const auto cache = cpu.create_cache(config, kRows, kCapacity);
    reference::Model model(config, std::make_shared<reference::WeightStore>());
    std::vector<reference::KvRow> rows;
    for (int r = 0; r < kRows; ++r) rows.push_back(model.make_row(kCapacity));
    for (int pass = 0; pass < 3; ++pass) {
      const std::uint64_t key = sim::combine(seed, static_cast<std::uint64_t>(pass));
      sim::ForwardOutput expected;
      gpu::TokenPlan plan;
      test::Draw draw{key};
      const test::BatchShape shape{.rows = kRows, .capacity = kCapacity, .vocab = config.vocab};
      if (pass % 2 == 0) {
        auto b = test::random_padded(draw, shape);
        b.cache = cache;
        cpu.run_padded(b, expected);
        plan = gpu::build_plan(b);
      } else {
        auto b = test::random_packed(draw, shape);
        b.cache = cache;
        cpu.run_packed(b, expected);
        plan = gpu::build_plan(b);
      }
      const auto got = model.forward(plan, rows, kCapacity);
      BOOST_CHECK_MESSAGE(got.argmax == expected.argmax,
                          "argmax differs, seed " << seed << " pass " << pass);
      BOOST_CHECK_MESSAGE(got.digest == expected.digest,
                          "logits digest differs, seed " << seed << " pass " << pass);
    }
    // Same KV bytes afterwards: compare through a second CpuBackend fed the same plans would
    // repeat the above; the digests of the next passes already depend on every slot.
  }
}

// Disabling every write but the last to each (row, slot) and applying the rest in any order
// leaves the cache as the sequential reference (write all, in plan order) does.
BOOST_AUTO_TEST_CASE(duplicate_writes_keep_the_last_writer) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    test::Draw draw{seed};
    auto plan =
        gpu::build_plan(test::random_padded(draw, {.rows = 4, .capacity = 16, .vocab = 256}));
    std::map<std::pair<int, int>, int> sequential, parallel;
    for (int i = 0; i < plan.size(); ++i) sequential[{plan.rows[i], plan.write_slots[i]}] = i;
    for (int i = plan.size() - 1; i >= 0; --i) {  // reverse order: any order must do
      if (plan.write_enabled[static_cast<std::size_t>(i)]) {
        const bool fresh =
            parallel.emplace(std::make_pair(plan.rows[i], plan.write_slots[i]), i).second;
        BOOST_CHECK_MESSAGE(fresh, "two enabled writers of one slot, seed " << seed);
      }
    }
    BOOST_CHECK_MESSAGE(sequential == parallel,
                        "enabled writes differ from the sequential result, seed " << seed);
  }
}

BOOST_AUTO_TEST_CASE(pack_plan_lays_out_every_part) {
  test::Draw draw{7};
  auto plan = gpu::build_plan(test::random_padded(draw, {.rows = 3, .capacity = 20, .vocab = 256}));
  plan.write_enabled[0] = 0;
  std::vector<std::int32_t> packed;
  const auto l = gpu::pack_plan(plan, packed);
  const auto n = static_cast<std::size_t>(plan.size());
  BOOST_TEST(packed.size() == l.total);
  BOOST_TEST(l.total == 5 * n + 1 + plan.visible.size());
  BOOST_TEST(packed[l.write_slots] == -1);
  for (std::size_t i = 1; i < n; ++i) {
    BOOST_TEST(packed[l.tokens + i] == plan.tokens[i]);
    BOOST_TEST(packed[l.positions + i] == plan.positions[i]);
    BOOST_TEST(packed[l.rows + i] == plan.rows[i]);
    BOOST_TEST(packed[l.write_slots + i] == (plan.write_enabled[i] ? plan.write_slots[i] : -1));
  }
  BOOST_TEST(packed[l.visible_offsets + n] == static_cast<std::int32_t>(plan.visible.size()));
  gpu::TokenPlan broken = plan;
  broken.write_enabled.clear();
  BOOST_CHECK_THROW(gpu::pack_plan(broken, packed), ContractError);
}

// Where a CUDA device is present the no-device path cannot be taken: the case reports itself
// skipped there instead of passing without checking anything.
struct NoCudaDevice {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result result(gpu::cuda_device_count() == 0);
    result.message() << "a CUDA device is present: the no-device path is not reachable";
    return result;
  }
};

BOOST_AUTO_TEST_CASE(gpu_backend_without_a_device_is_a_clear_input_error,
                     *boost::unit_test::precondition(NoCudaDevice{})) {
  try {
    gpu::GpuBackend backend;
    BOOST_FAIL("GpuBackend constructed without a device");
  } catch (const InputError& e) {
    const std::string what = e.what();
    BOOST_TEST_MESSAGE(what);
    BOOST_TEST(what.find("CUDA device") != std::string::npos);
    BOOST_TEST(what.find("--backend cpu") != std::string::npos);
  }
}
