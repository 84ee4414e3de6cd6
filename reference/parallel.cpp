#include "reference/parallel.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "sim/error.h"

namespace lockstep::reference {
namespace {

// Workers sleep until the generation changes, then claim block indices from `next_` until
// none are left; the caller claims blocks too and waits until every worker has finished.
class Pool {
 public:
  explicit Pool(int threads) : threads_(threads) {
    for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    start_.notify_all();
    for (auto& w : workers_) w.join();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  int threads() const { return threads_; }

  // False (nothing run) if another region holds the pool.
  bool try_run(std::size_t blocks, const std::function<void(std::size_t)>& block) {
    bool expected = false;
    if (!busy_.compare_exchange_strong(expected, true)) return false;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      block_ = &block;
      blocks_ = blocks;
      next_.store(0);
      error_ = nullptr;
      pending_ = static_cast<int>(workers_.size());
      ++generation_;
    }
    start_.notify_all();
    claim_blocks();
    std::exception_ptr error;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      done_.wait(lock, [this] { return pending_ == 0; });
      error = error_;
      block_ = nullptr;
    }
    busy_.store(false);
    if (error) std::rethrow_exception(error);
    return true;
  }

 private:
  void claim_blocks() {
    for (std::size_t b = next_.fetch_add(1); b < blocks_; b = next_.fetch_add(1)) {
      try {
        (*block_)(b);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
      }
    }
  }

  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mutex_);
        start_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      claim_blocks();
      std::lock_guard<std::mutex> lock(mutex_);
      if (--pending_ == 0) done_.notify_one();
    }
  }

  const int threads_;
  std::vector<std::thread> workers_;
  std::atomic<bool> busy_{false};
  std::mutex mutex_;
  std::condition_variable start_, done_;
  std::uint64_t generation_ = 0;
  const std::function<void(std::size_t)>* block_ = nullptr;
  std::size_t blocks_ = 0;
  std::atomic<std::size_t> next_{0};
  int pending_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
};

int default_threads() {
  if (const char* text = std::getenv("LOCKSTEP_THREADS")) return parse_thread_count(text);
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::mutex& pool_mutex() {
  static std::mutex m;
  return m;
}

std::shared_ptr<Pool>& pool_slot() {
  static std::shared_ptr<Pool> pool;
  return pool;
}

std::shared_ptr<Pool> current_pool() {
  std::lock_guard<std::mutex> lock(pool_mutex());
  auto& pool = pool_slot();
  if (!pool) pool = std::make_shared<Pool>(default_threads());
  return pool;
}

}  // namespace

int parse_thread_count(const char* text) {
  const std::string s = text ? text : "";
  char* end = nullptr;
  const long value = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || !end || *end != '\0' || value < 1 || value > 4096)
    throw InputError("LOCKSTEP_THREADS must be a positive integer (at most 4096), got '" + s + "'");
  return static_cast<int>(value);
}

int reference_threads() {
  return current_pool()->threads();
}

void set_reference_threads(int threads) {
  if (threads < 1 || threads > 4096)
    throw InputError("reference threads must lie in [1, 4096], got " + std::to_string(threads));
  auto fresh = std::make_shared<Pool>(threads);
  std::lock_guard<std::mutex> lock(pool_mutex());
  pool_slot() = std::move(fresh);
}

void parallel_for(std::size_t count, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& body) {
  if (count == 0) return;
  const auto pool = current_pool();
  const std::size_t by_grain = count / std::max<std::size_t>(grain, 1);
  const std::size_t blocks =
      std::min(static_cast<std::size_t>(pool->threads()), std::max<std::size_t>(by_grain, 1));
  if (blocks > 1) {
    const std::function<void(std::size_t)> block = [&](std::size_t b) {
      body(b * count / blocks, (b + 1) * count / blocks);
    };
    if (pool->try_run(blocks, block)) return;
  }
  body(0, count);
}

}  // namespace lockstep::reference
