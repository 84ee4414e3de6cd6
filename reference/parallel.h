// The reference's worker threads: a process-wide pool that splits an index range into
// contiguous blocks and runs them on every core. Callers only hand it work whose result does
// not depend on the split (each block writes its own outputs; integer sums are order-free), so
// a pass is byte-identical for any thread count: tests/test_reference.cpp checks 1 vs N.
//
// The thread count is LOCKSTEP_THREADS if set (a positive integer), else the hardware
// concurrency; set_reference_threads overrides it (tests, benchmarks). One parallel region
// runs at a time: a caller that finds the pool busy (another thread's pass, or a nested call)
// runs its whole range inline, which gives the same bytes. Not a general task system: no
// futures, no priorities.
#pragma once

#include <cstddef>
#include <functional>

namespace lockstep::reference {

// The number of threads parallel regions use (>= 1).
int reference_threads();

// Replaces the pool with one of `threads` threads (>= 1; throws InputError otherwise). Must
// not race with a running region of another thread.
void set_reference_threads(int threads);

// Parses LOCKSTEP_THREADS' value: a positive integer, or throws InputError naming it.
int parse_thread_count(const char* text);

// Calls body(begin, end) over contiguous blocks covering [0, count), each at least `grain`
// long (except a shorter whole range), on up to reference_threads() threads; returns when all
// are done. The first exception a block throws is rethrown here (after every block ended).
void parallel_for(std::size_t count, std::size_t grain,
                  const std::function<void(std::size_t, std::size_t)>& body);

// Runs row(i) for every i < rows (each of `cols` elements) on the threads, in blocks of about
// 8192 elements (enough to pay a wake-up). For row-wise ops that touch only their own row, so
// any split gives the same bytes.
template <typename Row>
void for_each_row(std::ptrdiff_t rows, std::ptrdiff_t cols, const Row& row) {
  const std::ptrdiff_t per_block = 8192 / (cols > 0 ? cols : 1);
  const auto grain = static_cast<std::size_t>(per_block > 1 ? per_block : 1);
  parallel_for(static_cast<std::size_t>(rows), grain, [&](std::size_t begin, std::size_t end) {
    for (auto i = static_cast<std::ptrdiff_t>(begin); i < static_cast<std::ptrdiff_t>(end); ++i)
      row(i);
  });
}

}  // namespace lockstep::reference
