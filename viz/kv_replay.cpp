// Shadow KV replay for the pictures (see kv_replay.h for the rules and why they are restated).
#include "viz/kv_replay.h"

#include "sim/error.h"

namespace lockstep::viz {

void KvReplay::apply(const Event& event) {
  if (const auto* c = std::get_if<CacheRecord>(&event)) create(*c);
  if (const auto* p = std::get_if<PassRecord>(&event)) pass(*p);
  if (const auto* m = std::get_if<MovesRecord>(&event)) moves(*m);
  if (const auto* c = std::get_if<CropRecord>(&event)) crop(*c);
}

const KvCache& KvReplay::cache(int id) const {
  return caches_.at(id);
}

KvCache& KvReplay::at(int id, int line) {
  auto it = caches_.find(id);
  if (it == caches_.end()) {
    throw InputError(name_ + " line " + std::to_string(line) + ": cache " + std::to_string(id) +
                     " was never created by a \"cache\" record");
  }
  return it->second;
}

KvSlot& KvReplay::slot(KvCache& c, int row, int s, int line) {
  if (row < 0 || row >= static_cast<int>(c.rows.size()) || s < 0 ||
      s >= static_cast<int>(c.rows[static_cast<std::size_t>(row)].size())) {
    throw InputError(name_ + " line " + std::to_string(line) + ": row " + std::to_string(row) +
                     " slot " + std::to_string(s) + " lies outside the " + c.model + " cache");
  }
  return c.rows[static_cast<std::size_t>(row)][static_cast<std::size_t>(s)];
}

void KvReplay::create(const CacheRecord& c) {
  if (c.rows < 0 || c.capacity < 0 || c.rows > 1 << 16 || c.capacity > 1 << 20) {
    throw InputError(name_ + " line " + std::to_string(c.line) +
                     ": field 'rows' or 'capacity' of a \"cache\" record is out of range");
  }
  KvCache k;
  k.model = c.model;
  k.bytes_per_slot = c.bytes_per_slot;
  k.rows.assign(static_cast<std::size_t>(c.rows),
                std::vector<KvSlot>(static_cast<std::size_t>(c.capacity)));
  caches_[c.cache] = std::move(k);
}

void KvReplay::pass(const PassRecord& p) {
  KvCache& c = at(p.cache, p.line);
  if (p.packed) {
    for (std::size_t r = 0; r < p.cache_rows.size(); ++r) {
      for (int i = p.row_offsets[r]; i < p.row_offsets[r + 1]; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        slot(c, p.cache_rows[r], p.kv_extent[r] + (i - p.row_offsets[r]), p.line) =
            KvSlot{true, p.tags[ui], p.input_ids[ui], p.positions[ui]};
      }
    }
    return;
  }
  for (int r = 0; r < p.rows; ++r) {
    for (int t = 0; t < p.tokens; ++t) {
      const auto i = static_cast<std::size_t>(r * p.tokens + t);
      slot(c, p.cache_rows[static_cast<std::size_t>(r)], p.write_slots[i], p.line) =
          KvSlot{true, p.tags[i], p.input_ids[i], p.positions[i]};
    }
  }
}

void KvReplay::moves(const MovesRecord& m) {
  KvCache& src = at(m.src, m.line);
  std::vector<std::vector<KvSlot>> staged;  // gather: read everything before writing anything
  for (const auto& mv : m.moves) {
    std::vector<KvSlot> run;
    for (int i = 0; i < mv.length; ++i)
      run.push_back(slot(src, mv.src_row, mv.src_slot + i, m.line));
    staged.push_back(std::move(run));
  }
  KvCache& dst = at(m.dst, m.line);
  for (std::size_t j = 0; j < m.moves.size(); ++j) {
    const Move& mv = m.moves[j];
    for (int i = 0; i < mv.length; ++i)
      slot(dst, mv.dst_row, mv.dst_slot + i, m.line) = staged[j][static_cast<std::size_t>(i)];
  }
}

void KvReplay::crop(const CropRecord& c) {
  KvCache& k = at(c.cache, c.line);
  if (c.row < 0 || c.row >= static_cast<int>(k.rows.size()) || c.from < 0) {
    throw InputError(name_ + " line " + std::to_string(c.line) + ": crop of row " +
                     std::to_string(c.row) + " from slot " + std::to_string(c.from) +
                     " lies outside the " + k.model + " cache");
  }
  auto& row = k.rows[static_cast<std::size_t>(c.row)];
  for (std::size_t s = static_cast<std::size_t>(c.from); s < row.size(); ++s) row[s] = KvSlot{};
}

}  // namespace lockstep::viz
