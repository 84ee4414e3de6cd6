// Shadow KV replay for the pictures (see kv_replay.h): trace records onto the shared map.
#include "viz/kv_replay.h"

#include "sim/error.h"

namespace lockstep::viz {

KvCache& KvReplay::at(int id, int line) {
  auto it = caches_.find(id);
  if (it == caches_.end()) {
    throw InputError(name_ + ": line " + std::to_string(line) + ": cache " + std::to_string(id) +
                     " was never created by a \"cache\" record");
  }
  return it->second;
}

void KvReplay::pass(const PassRecord& p) {
  sim::KvCacheShadow& kv = at(p.cache, p.line).kv;
  for (std::size_t r = 0; r < p.cache_rows.size(); ++r) {
    const int first = p.packed ? p.row_offsets[r] : static_cast<int>(r) * p.tokens;
    const int end = p.packed ? p.row_offsets[r + 1] : first + p.tokens;
    for (int i = first; i < end; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      const int slot = p.packed ? p.kv_extent[r] + (i - first) : p.write_slots[ui];
      kv.write(p.cache_rows[r], slot, KvSlot{true, p.tags[ui], p.input_ids[ui], p.positions[ui]});
    }
  }
}

void KvReplay::apply(const Event& event) {
  const int line = std::visit([](const auto& r) { return r.line; }, event);
  try {
    if (const auto* c = std::get_if<CacheRecord>(&event)) {
      caches_[c->cache] = KvCache{c->model, c->bytes_per_slot, {c->rows, c->capacity}};
    } else if (const auto* p = std::get_if<PassRecord>(&event)) {
      pass(*p);
    } else if (const auto* m = std::get_if<MovesRecord>(&event)) {
      sim::apply_moves(at(m->src, m->line).kv, at(m->dst, m->line).kv, m->moves);
    } else if (const auto* c = std::get_if<CropRecord>(&event)) {
      at(c->cache, c->line).kv.crop(c->row, c->from);
    }
  } catch (const InputError& e) {
    const std::string what = e.what();
    if (what.rfind(name_, 0) == 0) throw;  // already names the line
    throw InputError(name_ + ": line " + std::to_string(line) + ": " + what);
  }
}

}  // namespace lockstep::viz
