// A shadow of every KV cache, rebuilt from a trace's detail records: what each slot holds
// (the tag and token that wrote it, and the position id it was written with). The same
// replay rules as the verifier's checker (verify/checker.cpp), restated here so viz depends
// only on the trace: a pass writes each fed token at its write slot (padded: write_slots;
// packed: kv_extent[r] + i), a move plan copies with gather semantics (every move reads the
// cache as it was before the plan), a crop forgets slots [from, capacity).
// Throws lockstep::InputError naming the record's line when it reaches outside a cache.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "viz/trace_reader.h"

namespace lockstep::viz {

struct KvSlot {
  bool written = false;
  Tag tag;
  int token = 0;
  int position = 0;
};

struct KvCache {
  std::string model;
  std::int64_t bytes_per_slot = 0;
  std::vector<std::vector<KvSlot>> rows;  // [row][slot]
};

class KvReplay {
 public:
  explicit KvReplay(std::string trace_name) : name_(std::move(trace_name)) {}
  // Applies one event; verify records change nothing.
  void apply(const Event& event);
  const KvCache& cache(int id) const;
  bool has(int id) const { return caches_.count(id) != 0; }
  const std::map<int, KvCache>& caches() const { return caches_; }

 private:
  void create(const CacheRecord& c);
  void pass(const PassRecord& p);
  void moves(const MovesRecord& m);
  void crop(const CropRecord& c);
  KvCache& at(int id, int line);
  KvSlot& slot(KvCache& c, int row, int slot, int line);

  std::string name_;
  std::map<int, KvCache> caches_;
};

}  // namespace lockstep::viz
