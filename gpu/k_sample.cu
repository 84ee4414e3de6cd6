// Device twins of the sampling functions (gpu/sample_kernels.h): the integer weights of a
// logits row and the keyed inverse-CDF draw, from the very headers the CPU runs
// (numerics/sample_draw.h, numerics/philox.h). Integer arithmetic and exp_exact under the
// project's CUDA flags (--fmad=false --prec-div=true ...), so the bytes equal the host's.
#include "gpu/check.h"
#include "gpu/sample_kernels.h"
#include "numerics/philox.h"
#include "numerics/sample_draw.h"

namespace lockstep::gpu {
namespace {

__global__ void sample_weights(const float* logits, int rows, int vocab, const float* max_logits,
                               float temperature, std::uint32_t* weights) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * vocab;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < count;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    weights[e] = numerics::sample_weight(logits[e], max_logits[e / vocab], temperature);
  }
}

// One thread per row: a draw is a few hundred integer operations and a binary search.
__global__ void sample_draw(const std::int32_t* tokens, const std::uint64_t* cumulative,
                            const std::int32_t* offsets, int rows, std::uint64_t seed,
                            const std::int32_t* sequences, const std::int32_t* positions,
                            numerics::SamplePurpose purpose, std::uint64_t* bits,
                            std::int32_t* tokens_out) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const std::uint64_t b =
      numerics::sample_bits(seed, static_cast<std::uint32_t>(sequences[r]),
                            static_cast<std::uint32_t>(positions[r]), purpose, 0);
  const int first = offsets[r];
  bits[r] = b;
  tokens_out[r] =
      tokens[first + numerics::sample_pick(cumulative + first, offsets[r + 1] - first, b)];
}

}  // namespace

void launch_sample_weights(const float* logits, int rows, int vocab, const float* max_logits,
                           float temperature, std::uint32_t* weights, cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * vocab;
  if (count == 0) return;
  const int threads = 256;
  const auto blocks = static_cast<unsigned>(
      (count + threads - 1) / threads < 65535 * 8 ? (count + threads - 1) / threads : 65535 * 8);
  sample_weights<<<blocks, threads, 0, stream>>>(logits, rows, vocab, max_logits, temperature,
                                                 weights);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_sample_draw(const std::int32_t* tokens, const std::uint64_t* cumulative,
                        const std::int32_t* offsets, int rows, std::uint64_t seed,
                        const std::int32_t* sequences, const std::int32_t* positions,
                        numerics::SamplePurpose purpose, std::uint64_t* bits,
                        std::int32_t* tokens_out, cudaStream_t stream) {
  if (rows == 0) return;
  const int threads = 128;
  sample_draw<<<(rows + threads - 1) / threads, threads, 0, stream>>>(
      tokens, cumulative, offsets, rows, seed, sequences, positions, purpose, bits, tokens_out);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
