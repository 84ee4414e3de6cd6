// Strategy entry points, one per file (strategy_*.cpp). Each runs the whole scenario on the
// engine; the registry (sim/strategy.h) says which strategy runs which, and run_strategy
// dispatches through it.
#pragma once

#include "sim/engine.h"

namespace lockstep::sim {

// ar, spec1, eqspec, rollback: static batches of batch_size prompts (spec1: one) in the
// right-aligned padded layout; finished rows leave the batch. Reads its traits (admission,
// realignment) from engine.strategy().
void run_padded_strategy(Engine& engine);
// exspec: a pool of `window` sequences with per-sequence KV; same-length groups stack
// without padding, otherwise a realigning padded fallback.
void run_exspec(Engine& engine);
// packed: varlen passes, per-sequence KV extents, no padding and no realignment.
void run_packed(Engine& engine);

// Runs the engine's strategy: engine.strategy().run(engine).
void run_strategy(Engine& engine);

}  // namespace lockstep::sim
