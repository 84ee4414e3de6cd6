// Per-sequence truth (gemma.cpp's per-query state): the committed tokens and counters of
// one prompt. Batch tensors are views rebuilt from these records every pass.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

struct Sequence {
  std::int32_t id = 0;  // index in prompt order
  std::int32_t prompt_len = 0;
  std::vector<Token> tokens;  // prompt followed by committed output
  bool finished = false;
  bool prefilled = false;   // its KV holds tokens[0 .. size-2]
  std::int32_t rounds = 0;  // verify passes this sequence took part in
  std::int64_t draft_proposed = 0;
  std::int64_t draft_accepted = 0;

  std::int32_t length() const { return static_cast<std::int32_t>(tokens.size()); }
  std::int32_t generated() const { return length() - prompt_len; }
  // Every layout keeps all but the newest committed token in the KV cache: the newest is
  // fed at the next pass.
  std::int32_t cached_length() const { return length() - 1; }
};

}  // namespace lockstep::sim
