// sim/: the shared speculative batch controller and everything that needs no model math.
//   backend.h, batch.h     the backend interface: padded and packed forward forms, KV move
//                          plans, crop; the visibility rule every backend shares
//   symbolic_backend.h     the deterministic stand-in transformer (provenance in every slot)
//   scenario.h             scenario files: strict loading, SpecBench prompts, the default
//   runner.h               run a scenario: sequences, batch-1 AR reference, strategy
//   engine.h, strategies.h the controller: the one path to the backend; ar, spec1, eqspec,
//                          exspec, rollback, packed
//   strategy.h             the strategy registry: one row of traits per strategy
//   round.h                one speculative round for both layouts (layout_passes.h: tensors)
//   drafter.h              oracle, script and model drafters
//   observer.h             hooks for the verifier and the cost model
//   trace.h, metrics.h     canonical traces with a digest; metrics defined once
//   faults.h               named faults that reproduce real ragged-batch bugs
//   cost_model.h           predicted GPU time of every pass the controller issues
// Nothing here includes Eigen or CUDA (DESIGN §2).
#pragma once

#include "sim/backend.h"
#include "sim/batch.h"
#include "sim/drafter.h"
#include "sim/engine.h"
#include "sim/metrics.h"
#include "sim/observer.h"
#include "sim/round.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/strategies.h"
#include "sim/strategy.h"
#include "sim/symbolic_backend.h"
#include "sim/trace.h"
