// The byte-invariance harness of DESIGN I6 on the cpu backend: a sequence's logit digests and
// KV bytes fed alone (packed, chunk after chunk) or as one row of a left-padded batch with
// random neighbours. Shared by test_reference (generated presets) and test_real_model (the
// real model's shapes). Compares nothing itself.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "reference/cpu_backend.h"
#include "sim/batch.h"
#include "sim/model_config.h"
#include "tests/random_batch.h"

namespace lockstep::test {

// Logit digests of one sequence's tokens, and the digest of its KV slots.
struct SequenceBytes {
  std::vector<std::uint64_t> logits;
  std::uint64_t kv = 0;
  bool operator==(const SequenceBytes&) const = default;
};

inline sim::PackedBatch packed(sim::CacheId cache, int row, const std::vector<sim::Token>& tokens,
                               int extent) {
  sim::PackedBatch b;
  b.cache = cache;
  b.cache_rows = {row};
  b.row_offsets = {0, static_cast<int>(tokens.size())};
  b.kv_extent = {extent};
  b.tokens = tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    b.positions.push_back(extent + static_cast<int>(i));
    b.tags.push_back({0, extent + static_cast<int>(i)});
  }
  return b;
}

// `chunks` fed one pass after another to a fresh batch-1 packed cache.
inline SequenceBytes alone(const sim::ModelConfig& model,
                           const std::vector<std::vector<sim::Token>>& chunks) {
  reference::CpuBackend backend;
  const auto cache = backend.create_cache(model, 1, 256);
  SequenceBytes out;
  int extent = 0;
  for (const auto& chunk : chunks) {
    const auto result = backend.forward_packed(packed(cache, 0, chunk, extent));
    out.logits.insert(out.logits.end(), result.digest.begin(), result.digest.end());
    extent += static_cast<int>(chunk.size());
  }
  out.kv = backend.kv_digest(cache, 0, 0, extent);
  return out;
}

// The same chunks in row `target` of a right-aligned padded batch whose other rows hold
// random tokens; row r has min(pads[r], first pass width) left pads. Returns the target
// row's bytes.
inline SequenceBytes in_padded_batch(const sim::ModelConfig& model,
                                     const std::vector<std::vector<sim::Token>>& chunks, int rows,
                                     int target, const std::vector<int>& pads, std::uint64_t seed) {
  reference::CpuBackend backend;
  const auto cache = backend.create_cache(model, rows, 320);
  Draw draw{seed};
  std::vector<sim::Token> stream;  // the target row's tokens, all chunks
  for (const auto& c : chunks) stream.insert(stream.end(), c.begin(), c.end());
  const int target_pad = pads[static_cast<std::size_t>(target)];
  const int first_width = static_cast<int>(chunks.front().size()) + target_pad;
  SequenceBytes out;
  int past = 0;
  for (std::size_t c = 0; c < chunks.size(); ++c) {
    const int tokens = c == 0 ? first_width : static_cast<int>(chunks[c].size());
    const int columns = past + tokens;
    sim::PaddedBatch b;
    b.cache = cache;
    b.rows = rows;
    b.past = past;
    b.tokens = tokens;
    for (int r = 0; r < rows; ++r) {
      const int pad =
          r == target ? target_pad : std::min(pads[static_cast<std::size_t>(r)], first_width);
      b.cache_rows.push_back(r);
      for (int s = 0; s < columns; ++s) b.mask.push_back(s >= pad ? 1 : 0);
      for (int column = past; column < columns; ++column) {
        const bool is_pad = column < pad;
        sim::Token token = draw(model.vocab);
        if (r == target && !is_pad) token = stream[static_cast<std::size_t>(column - pad)];
        b.input_ids.push_back(is_pad ? 0 : token);
        b.positions.push_back(is_pad ? 0 : column - pad);
        b.write_slots.push_back(column);
        b.tags.push_back(is_pad ? sim::TokenTag{} : sim::TokenTag{r, column - pad});
      }
    }
    const auto result = backend.forward_padded(b);
    for (int t = 0; t < tokens; ++t) {
      if (past + t >= target_pad)
        out.logits.push_back(result.digest[static_cast<std::size_t>(target * tokens + t)]);
    }
    past = columns;
  }
  out.kv = backend.kv_digest(cache, target, target_pad, static_cast<int>(stream.size()));
  return out;
}

}  // namespace lockstep::test
