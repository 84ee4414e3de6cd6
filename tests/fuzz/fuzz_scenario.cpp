// libFuzzer target: the scenario loader (sim::parse_scenario) on arbitrary bytes.
// Contract checked: every input either parses to a scenario that passes validation or is
// rejected with an InputError carrying a non-empty message. Any other exception, a crash, a
// sanitizer report or a hang is a bug. Built by tests/fuzz/build-and-run.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "sim/error.h"
#include "sim/scenario.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const lockstep::sim::Scenario s = lockstep::sim::parse_scenario(text, "fuzz.json");
    // A scenario that parsed must also pass the cross-field checks on its own.
    lockstep::sim::validate_scenario(s);
  } catch (const lockstep::InputError& e) {
    if (std::string(e.what()).empty()) {
      std::fprintf(stderr, "InputError without a message\n");
      std::abort();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception (not a clear InputError): %s\n", e.what());
    std::abort();
  }
  return 0;
}
