// The backend interface (DESIGN §3): one interface, three implementations (symbolic in sim/,
// cpu in reference/, gpu in gpu/). A backend owns model weights and KV caches; it never
// decides layout. Every layout decision (positions, masks, write slots, move plans) comes
// from the controller as data, so all backends execute the same plan and wrong states are
// expressible (faults reproduce real bugs instead of being special-cased).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/batch.h"
#include "sim/model_config.h"

namespace lockstep::sim {

// What a KV slot holds, as far as a backend can tell: the tag of the token that wrote it,
// the token id and the position id it was written with. Only introspective backends
// (symbolic) can answer; real backends hold bytes.
struct SlotProvenance {
  bool written = false;
  TokenTag tag;
  Token token = 0;
  std::int32_t position = 0;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;

  // A cache of `rows` x `capacity` slots for `model`; forward passes on it run that model.
  virtual CacheId create_cache(const ModelConfig& model, int rows, int capacity) = 0;
  virtual int cache_rows(CacheId cache) const = 0;
  virtual int cache_capacity(CacheId cache) const = 0;
  virtual const ModelConfig& cache_model(CacheId cache) const = 0;

  // Fill `out`, reusing its buffers: the controller issues several passes per step.
  virtual void run_padded(const PaddedBatch& batch, ForwardOutput& out) = 0;
  virtual void run_packed(const PackedBatch& batch, ForwardOutput& out) = 0;
  ForwardOutput forward_padded(const PaddedBatch& batch) {
    ForwardOutput out;
    run_padded(batch, out);
    return out;
  }
  ForwardOutput forward_packed(const PackedBatch& batch) {
    ForwardOutput out;
    run_packed(batch, out);
    return out;
  }

  // Executes a whole plan as one batched operation (gather semantics, see MovePlan).
  virtual void apply_moves(const MovePlan& plan) = 0;
  // The same under the controller's promises (MovePromises), which a backend may use to
  // skip keeping slots nobody will read; by default it ignores them.
  virtual void apply_promised_moves(const MovePlan& plan, MovePromises /*promises*/) {
    apply_moves(plan);
  }
  // Drops slots [from_slot, capacity) of one row: their content must never be seen again.
  virtual void crop(CacheId cache, int row, int from_slot) = 0;

  // Digest of slots [first, first + count) of one row (content only, no timing, no address).
  virtual std::uint64_t kv_digest(CacheId cache, int row, int first, int count) const = 0;

  // Introspection for backends that store provenance; nullopt when the backend cannot tell.
  virtual std::optional<SlotProvenance> provenance(CacheId, int /*row*/, int /*slot*/) const {
    return std::nullopt;
  }
};

// Backends are made by name; reference/ and gpu/ register theirs at link time through
// register_backend so that sim/ never depends on them.
using BackendFactory = std::function<std::unique_ptr<Backend>()>;
void register_backend(const std::string& name, BackendFactory factory);
// Throws InputError naming the unknown backend and listing the registered ones.
std::unique_ptr<Backend> make_backend(const std::string& name);
std::vector<std::string> backend_names();

}  // namespace lockstep::sim
