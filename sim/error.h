// The one exception type for bad input and broken preconditions. Its message names the
// offending field or value; the CLI maps it to exit code 2.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>

namespace lockstep {

class InputError : public std::runtime_error {
 public:
  explicit InputError(const std::string& what) : std::runtime_error(what) {}
};

// A broken internal contract (shape mismatch, out-of-range slot): a programming error that
// must surface loudly rather than corrupt state.
class ContractError : public std::logic_error {
 public:
  explicit ContractError(const std::string& what) : std::logic_error(what) {}
};

// Throws ContractError with `what` unless `condition` holds. Kept out of NDEBUG's reach:
// shape checks guard every public function that takes shapes.
inline void require(bool condition, const char* what) {
  if (!condition) throw ContractError(what);
}
// For messages that must be built (numbers formatted): the callable runs only on failure,
// so hot paths pay nothing for a detailed message.
template <typename MakeMessage>
requires std::is_invocable_r_v<std::string, MakeMessage>
inline void require(bool condition, MakeMessage&& make_message) {
  if (!condition) throw ContractError(make_message());
}

}  // namespace lockstep
