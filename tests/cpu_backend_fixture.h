// The global fixture of a Boost.Test module whose cases make the cpu backend by name
// (sim::make_backend("cpu"), a scenario's "backend": "cpu"): reference/ registers it at
// link time only when asked, so the module registers it once, before its first case.
// Include it once per test module, never in a header other headers include.
#pragma once

#include <boost/test/unit_test.hpp>

#include "reference/cpu_backend.h"

namespace lockstep::test {

struct RegisterCpuBackend {
  RegisterCpuBackend() { reference::register_cpu_backend(); }
};
BOOST_TEST_GLOBAL_FIXTURE(RegisterCpuBackend);

}  // namespace lockstep::test
