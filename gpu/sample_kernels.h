// Launchers of the sampling kernels (gpu/k_sample.cu), the device twins of the numerics
// sampling functions (docs/numerics.md §14): numerics/sample_draw.h's sample_weight and
// sample_pick and numerics/philox.h's sample_bits, compiled by nvcc from the same headers.
// tests/gpu/sample_twins.cpp compares them with the host, byte for byte. Every launcher
// checks the launch; none synchronizes. Not wired into the runtime yet (issue 14 item 2).
//
// Dimension legend: R rows (one draw each), V vocabulary, E total support entries of R rows.
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "numerics/philox.h"

namespace lockstep::gpu {

// weights [R, V] = sample_weight(logits[r, t], max_logits[r], temperature) (id order).
void launch_sample_weights(const float* logits, int rows, int vocab, const float* max_logits,
                           float temperature, std::uint32_t* weights, cudaStream_t stream);

// Row r's distribution is entries [offsets[r], offsets[r + 1]) of tokens [E] and cumulative
// [E] (inclusive prefix sums, last > 0, at least one entry). bits[r] = sample_bits(seed,
// sequences[r], positions[r], purpose, 0); tokens_out[r] = tokens[offsets[r] + sample_pick(...)].
void launch_sample_draw(const std::int32_t* tokens, const std::uint64_t* cumulative,
                        const std::int32_t* offsets, int rows, std::uint64_t seed,
                        const std::int32_t* sequences, const std::int32_t* positions,
                        numerics::SamplePurpose purpose, std::uint64_t* bits,
                        std::int32_t* tokens_out, cudaStream_t stream);

}  // namespace lockstep::gpu
