// A shadow of every KV cache, rebuilt from a trace's detail records: what each slot holds
// (the tag and token that wrote it, and the position id it was written with). The replay
// rules are the shared shadow KV map's (sim/kv_shadow.h), the same the verifier's checker
// and the symbolic backend apply: a pass writes each fed token at its write slot (padded:
// write_slots; packed: kv_extent[r] + i), a move plan copies with gather semantics, a crop
// forgets slots [from, capacity).
// Throws lockstep::InputError naming the record's line when it reaches outside a cache.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "sim/kv_shadow.h"
#include "viz/trace_events.h"

namespace lockstep::viz {

using KvSlot = sim::KvSlot;

struct KvCache {
  std::string model;
  std::int64_t bytes_per_slot = 0;
  sim::KvCacheShadow kv;
};

class KvReplay {
 public:
  explicit KvReplay(std::string trace_name) : name_(std::move(trace_name)) {}
  // Applies one event; verify and state records change nothing.
  void apply(const Event& event);
  const KvCache& cache(int id) const { return caches_.at(id); }
  bool has(int id) const { return caches_.count(id) != 0; }
  const std::map<int, KvCache>& caches() const { return caches_; }

 private:
  void pass(const PassRecord& p);
  KvCache& at(int id, int line);

  std::string name_;
  std::map<int, KvCache> caches_;
};

}  // namespace lockstep::viz
