// The one byte-equality helper of the gpu tests (STYLE 6): reports the first differing
// element with its index, both values, the case that produced it and the seed of its random
// inputs (0 for a fixed case list), so a failure can be replayed alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

namespace lockstep::test {

// "" when equal; else a description of the first difference.
template <typename T>
std::string first_difference(const std::vector<T>& a, const std::vector<T>& b,
                             const std::string& what, std::uint64_t seed) {
  std::ostringstream s;
  if (a.size() != b.size()) {
    s << what << " (seed " << seed << "): sizes differ, " << a.size() << " vs " << b.size();
    return s.str();
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
      s << what << " (seed " << seed << "): first difference at index " << i << " of " << a.size()
        << ": " << +a[i] << " vs " << +b[i];
      return s.str();
    }
  }
  return "";
}

}  // namespace lockstep::test

// Boost.Test check with the helper's message.
#define LOCKSTEP_CHECK_BYTES_EQUAL(a, b, what, seed)                  \
  do {                                                                \
    const std::string lockstep_diff_ =                                \
        ::lockstep::test::first_difference((a), (b), (what), (seed)); \
    BOOST_CHECK_MESSAGE(lockstep_diff_.empty(), lockstep_diff_);      \
  } while (0)
