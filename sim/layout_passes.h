// The pass tensors of the two layouts (sim/strategy.h), built from the rows of a round
// (sim/round.h). Internal to the round: strategies go through speculative_round.
//
// The layout, not the token tags, decides positions, write slots and the mask, so a layout
// bug shows up as a tag/position disagreement that the verifier reports.
// Faults injected here (sim/faults.h), padded passes only: positions-from-padded-index,
// pads-visible and pad-equals-eos corrupt the tensors; a row's Feed carries the
// bonus-kv-wrong-slot write-slot shift.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/engine.h"
#include "sim/round.h"

namespace lockstep::sim {

inline constexpr Token kPadToken = 0;

// The token fed at one cell of a pass and the truth about it.
struct Feed {
  Token token = kPadToken;
  TokenTag tag;        // pad unless tag.seq >= 0
  int slot_shift = 0;  // write slot - column: 0 except under fault bonus-kv-wrong-slot
};

// The layout faults a padded pass can carry, read once per pass from the engine.
struct PassFaults {
  bool positions_from_index = false;
  bool pads_visible = false;
  std::optional<Token> eos_is_pad;  // pad-equals-eos: tokens with this id count as padding

  explicit PassFaults(const Engine& engine) {
    const FaultSet& f = engine.faults();
    positions_from_index = f.has(Fault::positions_from_padded_index);
    pads_visible = f.has(Fault::pads_visible);
    if (f.has(Fault::pad_equals_eos)) eos_is_pad = engine.scenario().eos_token;
  }
};

// Sizes `b` for a pass over `rows` rows of `tokens` tokens at `past` columns; every cell is
// left for padded_pass to write.
void reset_padded_batch(PaddedBatch& b, CacheId cache, std::size_t rows, int past, int tokens);

// pad-equals-eos: masks every cached EOS of the row's sequence, as a mask rebuilt from token
// ids (input_ids != pad_id) would.
void mask_cached_eos(Engine& engine, const RoundRow& row, int past, Token pad_token,
                     std::uint8_t* mask);

// One rectangular pass over `rows`: `past` columns already in the cache, `tokens` new ones
// written at columns past..past+tokens-1; feed(r, t) gives the token and its tag.
template <typename FeedAt>
PaddedBatch& padded_pass(Engine& engine, CacheId cache, const std::vector<RoundRow>& rows, int past,
                         int tokens, FeedAt&& feed) {
  PaddedBatch& b = engine.padded_scratch();
  const PassFaults faults(engine);
  const Token pad_token = faults.eos_is_pad.value_or(kPadToken);
  reset_padded_batch(b, cache, rows.size(), past, tokens);
  const auto columns = static_cast<std::size_t>(past + tokens);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const RoundRow& row = rows[r];
    b.cache_rows[r] = row.cache_row;
    std::uint8_t* mask = b.mask.data() + r * columns;
    const int pad = faults.pads_visible ? 0 : row.pad;
    const std::size_t first_visible = std::min(static_cast<std::size_t>(std::max(pad, 0)), columns);
    std::fill_n(mask, first_visible, std::uint8_t{0});
    std::fill_n(mask + first_visible, columns - first_visible, std::uint8_t{1});
    if (faults.eos_is_pad) mask_cached_eos(engine, row, past, pad_token, mask);
    for (int t = 0; t < tokens; ++t) {
      const int column = past + t;
      const std::size_t i = r * static_cast<std::size_t>(tokens) + static_cast<std::size_t>(t);
      Feed f = feed(r, t);
      if (f.tag.seq < 0) f.token = pad_token;
      b.input_ids[i] = f.token;
      b.positions[i] = faults.positions_from_index ? column : std::max(column - row.pad, 0);
      b.write_slots[i] = column + f.slot_shift;
      b.tags[i] = f.tag;
      if (f.tag.seq < 0 && !faults.pads_visible) mask[column] = 0;
      if (faults.eos_is_pad && f.token == pad_token) mask[column] = 0;
    }
  }
  return b;
}

// A varlen pass in which row r contributes feed(r, 0..count[r]-1) at slots extent[r] + t.
// Positions come from the layout (extent + t); tokens and tags from the feed.
template <typename FeedAt>
PackedBatch& packed_pass(Engine& engine, CacheId cache, const std::vector<RoundRow>& rows,
                         std::span<const int> extent, std::span<const int> count, FeedAt&& feed) {
  PackedBatch& b = engine.packed_scratch();
  b.cache = cache;
  b.cache_rows.clear();
  b.kv_extent.clear();
  b.tokens.clear();
  b.positions.clear();
  b.tags.clear();
  b.row_offsets.assign(1, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    b.cache_rows.push_back(rows[r].cache_row);
    b.kv_extent.push_back(extent[r]);
    for (int t = 0; t < count[r]; ++t) {
      const Feed f = feed(r, t);
      b.tokens.push_back(f.token);
      b.positions.push_back(extent[r] + t);
      b.tags.push_back(f.tag);
    }
    b.row_offsets.push_back(static_cast<std::int32_t>(b.tokens.size()));
  }
  return b;
}

}  // namespace lockstep::sim
