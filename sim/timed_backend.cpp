#include "sim/timed_backend.h"

#include <time.h>

#include <atomic>
#include <chrono>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

std::atomic<PassClock> g_pass_clock{PassClock::wall};

// Seconds on the clock chosen by set_pass_clock.
double now_seconds() {
  if (g_pass_clock.load(std::memory_order_relaxed) == PassClock::thread_cpu) {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double since(double start) {
  return now_seconds() - start;
}

}  // namespace

void set_pass_clock(PassClock clock) {
  g_pass_clock.store(clock, std::memory_order_relaxed);
}

TimedBackend::TimedBackend(std::unique_ptr<Backend> inner) : inner_(std::move(inner)) {
  if (!inner_) throw ContractError("TimedBackend needs a backend to wrap");
}

CacheId TimedBackend::create_cache(const ModelConfig& model, int rows, int capacity) {
  return inner_->create_cache(model, rows, capacity);
}

void TimedBackend::on_create_cache(CacheId cache, ModelRole role, int, int) {
  cache_role_[cache.value] = role;
}

ModelRole TimedBackend::role_of(CacheId cache) const {
  const auto it = cache_role_.find(cache.value);
  if (it == cache_role_.end())
    throw ContractError("TimedBackend: pass on cache " + std::to_string(cache.value) +
                        " whose role was never announced (run it as an observer too)");
  return it->second;
}

void TimedBackend::run_padded(const PaddedBatch& batch, ForwardOutput& out) {
  const auto start = now_seconds();
  inner_->run_padded(batch, out);
  passes_.push_back({.role = role_of(batch.cache),
                     .packed = false,
                     .rows = batch.rows,
                     .tokens = batch.tokens,
                     .kv = batch.columns(),
                     .seconds = since(start)});
}

void TimedBackend::run_packed(const PackedBatch& batch, ForwardOutput& out) {
  const auto start = now_seconds();
  inner_->run_packed(batch, out);
  const double seconds = since(start);
  // Token j of row r attends kv_extent[r] + j + 1 slots.
  std::int64_t attended = 0;
  for (int r = 0; r < batch.rows(); ++r) {
    const std::int64_t n = batch.row_offsets[r + 1] - batch.row_offsets[r];
    attended += n * batch.kv_extent[r] + n * (n + 1) / 2;
  }
  const auto tokens = static_cast<std::int64_t>(batch.tokens.size());
  passes_.push_back({.role = role_of(batch.cache),
                     .packed = true,
                     .rows = tokens,
                     .tokens = 1,
                     .kv = tokens == 0 ? 0 : (attended + tokens / 2) / tokens,
                     .seconds = seconds});
}

void TimedBackend::apply_moves(const MovePlan& plan) {
  apply_promised_moves(plan, {});
}

void TimedBackend::apply_promised_moves(const MovePlan& plan, MovePromises promises) {
  const auto start = now_seconds();
  inner_->apply_promised_moves(plan, promises);
  move_seconds_ += since(start);
}

}  // namespace lockstep::sim
