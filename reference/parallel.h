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

}  // namespace lockstep::reference
