// The per-layer K and V cache scales of known model files (docs/numerics.md §13.3): max |K|
// (after RoPE) and max |V| of the float32 model over 16 fixed SpecBench calibration prompts,
// divided by 127, rounded to f32 (computed by tests/tools/smollm2_forward.py calibrate and
// stored here as bit patterns, so no float computation of this repository's can drift them).
// A file is known by the FNV-1a digest of its bytes. Does not calibrate anything itself.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace lockstep::loaded {

struct KvScales {
  float k = 0;
  float v = 0;
};

// The FNV-1a digest (docs/numerics.md §8) of a whole file's bytes.
std::uint64_t file_digest(std::span<const std::byte> bytes);

// The calibrated scales of the file with `digest`, one pair per layer; nullopt if unknown.
std::optional<std::vector<KvScales>> known_kv_scales(std::uint64_t digest);

}  // namespace lockstep::loaded
