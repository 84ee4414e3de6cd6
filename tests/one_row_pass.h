// The packed pass the golden model records run: sim::one_row_pass (sim/one_row_pass.h).
#pragma once

#include "sim/one_row_pass.h"

namespace lockstep::test {

using sim::one_row_pass;

}  // namespace lockstep::test
