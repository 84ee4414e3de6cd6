// Device tests of the sampling kernels (gpu/k_sample.cu, docs/numerics.md §14), part of
// test_gpu_device (which skips without a device): the sampling headers' case list
// (sample_cases.h) on the device == g++; k_sample weights == numerics::sample_weight
// and the keyed draw == numerics::sample_token(distribution, key_bits(key)) with its 64
// uniform bits, byte for byte, on the golden logit vectors and parameter sets
// (tests/sampling_cases.h) and on random rows with ties, at many sequences and positions.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <vector>

#include "gpu/device_buffer.h"
#include "gpu/sample_kernels.h"
#include "numerics/host_math.h"
#include "numerics/sample_draw.h"
#include "numerics/sampling.h"
#include "tests/gpu/compare.h"
#include "tests/gpu/sample_cases.h"
#include "tests/gpu/twin_inputs.h"
#include "tests/sampling_cases.h"

namespace lockstep::test_numerics {
int cxx_sample_cases(std::uint64_t* out);
int device_sample_cases(std::uint64_t* out);
}  // namespace lockstep::test_numerics

namespace {

using namespace lockstep;
using test::download;
using test::upload;

// Rows of logits [R, V] and each row's maximum, from the golden grid vectors.
struct LogitRows {
  int rows = 0, vocab = 0;
  std::vector<float> logits, max_logits;
};

LogitRows grid_rows(std::uint64_t key, int rows, int vocab) {
  LogitRows out{rows, vocab, {}, {}};
  for (int r = 0; r < rows; ++r) {
    const auto row = test::grid_logits(key + static_cast<std::uint64_t>(r), vocab);
    out.logits.insert(out.logits.end(), row.begin(), row.end());
    out.max_logits.push_back(
        row[static_cast<std::size_t>(numerics::argmax_lowest(row.data(), vocab))]);
  }
  return out;
}

}  // namespace

// The headers themselves on the device: the case list of sample_cases.h.
BOOST_AUTO_TEST_CASE(sampling_headers_on_the_device_give_the_g_plus_plus_bits) {
  std::vector<std::uint64_t> cxx(test_numerics::kMaxSampleCases);
  std::vector<std::uint64_t> device(test_numerics::kMaxSampleCases);
  cxx.resize(static_cast<std::size_t>(test_numerics::cxx_sample_cases(cxx.data())));
  device.resize(static_cast<std::size_t>(test_numerics::device_sample_cases(device.data())));
  LOCKSTEP_CHECK_BYTES_EQUAL(cxx, device, "sampling cases, g++ vs device", 0);
}

BOOST_AUTO_TEST_CASE(sample_weights_kernel_equals_its_cpu_twin) {
  const LogitRows x = grid_rows(100, 6, 1500);
  for (float temperature : {1.0f, 0.7f, 0.013f, 2.5f, 1.0e-30f, 100.0f}) {
    std::vector<std::uint32_t> expected;
    for (std::size_t e = 0; e < x.logits.size(); ++e) {
      expected.push_back(numerics::sample_weight(
          x.logits[e], x.max_logits[e / static_cast<std::size_t>(x.vocab)], temperature));
    }
    const auto dl = upload(x.logits);
    const auto dm = upload(x.max_logits);
    gpu::DeviceBuffer<std::uint32_t> dw(expected.size());
    gpu::launch_sample_weights(dl.get(), x.rows, x.vocab, dm.get(), temperature, dw.get(), nullptr);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected, download(dw, expected.size()), "sample_weights", 100);
  }
}

// Every golden logit vector under every parameter set, plus random grids, one row each, each
// at its own (sequence, position), for every purpose.
BOOST_AUTO_TEST_CASE(sample_draw_kernel_equals_its_cpu_twin) {
  std::vector<numerics::SampleDistribution> rows;
  for (const auto& lc : test::logit_cases()) {
    for (const auto& pc : test::param_cases()) {
      rows.push_back(numerics::sample_distribution(lc.logits.data(),
                                                   static_cast<int>(lc.logits.size()), pc.params));
    }
  }
  for (std::uint64_t key = 0; key < 150; ++key) {
    const auto logits = test::grid_logits(key, 2 + static_cast<int>(key * 37 % 2000));
    const numerics::SamplingParams p{
        0.3f + static_cast<float>(key % 5) * 0.35f,
        key % 3 == 0 ? numerics::kTopKAll : 1 + static_cast<int>(key % 50),
        key % 4 == 0 ? 0.9 : 1.0};
    rows.push_back(
        numerics::sample_distribution(logits.data(), static_cast<int>(logits.size()), p));
  }
  std::vector<std::int32_t> tokens, offsets{0}, sequences, positions;
  std::vector<std::uint64_t> cumulative;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    tokens.insert(tokens.end(), rows[r].tokens.begin(), rows[r].tokens.end());
    cumulative.insert(cumulative.end(), rows[r].cumulative.begin(), rows[r].cumulative.end());
    offsets.push_back(static_cast<std::int32_t>(tokens.size()));
    sequences.push_back(static_cast<std::int32_t>(r % 9));
    positions.push_back(static_cast<std::int32_t>(r * 7919 % 100000));
  }
  const auto n = static_cast<int>(rows.size());
  const std::uint64_t seed = 0x0123456789abcdefULL;
  for (auto purpose :
       {numerics::SamplePurpose::target_sample, numerics::SamplePurpose::draft_sample,
        numerics::SamplePurpose::accept_test, numerics::SamplePurpose::residual_sample}) {
    std::vector<std::uint64_t> expected_bits;
    std::vector<std::int32_t> expected_tokens;
    for (int r = 0; r < n; ++r) {
      const auto& s = sequences[static_cast<std::size_t>(r)];
      const auto& p = positions[static_cast<std::size_t>(r)];
      expected_bits.push_back(numerics::key_bits({seed, s, p, purpose, 0}));
      expected_tokens.push_back(
          numerics::sample_token(rows[static_cast<std::size_t>(r)], expected_bits.back()));
    }
    const auto dt = upload(tokens);
    const auto dc = upload(cumulative);
    const auto doff = upload(offsets);
    const auto ds = upload(sequences);
    const auto dp = upload(positions);
    gpu::DeviceBuffer<std::uint64_t> dbits(static_cast<std::size_t>(n));
    gpu::DeviceBuffer<std::int32_t> dout(static_cast<std::size_t>(n));
    gpu::launch_sample_draw(dt.get(), dc.get(), doff.get(), n, seed, ds.get(), dp.get(), purpose,
                            dbits.get(), dout.get(), nullptr);
    const char* name = numerics::purpose_name(purpose);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected_bits, download(dbits, expected_bits.size()), name, seed);
    LOCKSTEP_CHECK_BYTES_EQUAL(expected_tokens, download(dout, expected_tokens.size()), name, seed);
  }
}
