// The strategy registry: one row per batching strategy, read by everyone who needs to know
// what a strategy is (scenario loader, engine, runner, cost model, sweep, CLI help, viz).
//
// A row names the strategy and declares its traits: the layout its passes use, whether it
// drafts, how sequences enter the batch, how the batch is re-synchronized after a ragged
// round, and the function that runs a whole scenario. Code outside this registry (and the
// tests) asks for traits, never compares a strategy name with a literal. Faults declare the
// traits they need (sim/faults.h), so a new strategy is covered by them automatically.
//
// Adding a strategy: one file with its run function (sim/strategy_*.cpp, built on
// sim/round.h) and one row in strategy.cpp (docs/architecture.md has a worked example).
// register_strategy adds a row at run time for tests and extensions.
//
// Presets (bsp-like, dsd-like: a base strategy plus faults, sim/faults.h) are not rows;
// find_strategy resolves them to their base strategy's row.
#pragma once

#include <deque>
#include <string>
#include <vector>

namespace lockstep::sim {

class Engine;

// The tensor form of the passes (the trace's "form" spells it "padded" or "packed").
enum class Layout {
  padded,  // rectangular: rows right-aligned at a common width, pads masked
  packed,  // varlen: rows concatenated, each with its own KV extent, no padding
};

// How sequences enter the batch.
enum class Admission {
  one_at_a_time,  // one sequence per batch (batch size 1 whatever the scenario says)
  static_batch,   // batch_size prompts at once; the next batch starts when all are done
  window_pool,    // a pool of `window` sequences; a finished one frees its row at once
  refill_rows,    // batch_size rows; a finished sequence's row takes the next prompt
};

// How a ragged round (rows accepting different numbers of drafts) is re-synchronized.
enum class Realignment {
  rollback,         // every row keeps the batch's least accepted count: no KV moves
  unpad_repad,      // each row keeps its own; rows move so they end at the new width
  group_by_length,  // equal-length groups need none; a padded fallback moves rows and back
  packed_crop,      // per-row KV extents: a crop per row, zero moves
};

struct StrategyInfo {
  std::string name;         // as written in scenarios and on the command line
  std::string description;  // one line, for the CLI help and docs
  Layout layout = Layout::padded;
  bool drafts = true;  // false: plain autoregressive decoding, k is ignored
  Admission admission = Admission::static_batch;
  Realignment realignment = Realignment::rollback;
  void (*run)(Engine& engine) = nullptr;  // runs the whole scenario on the engine
};

// Every strategy, built-in rows first in a fixed order (ar, spec1, eqspec, exspec,
// rollback, packed), then registered ones in registration order. A deque, so references
// to rows stay valid when a row is registered.
const std::deque<StrategyInfo>& strategy_registry();
std::vector<std::string> strategy_names();

// The row of `name`, or of the preset's base strategy when `name` is a preset. Throws
// InputError naming the unknown value and listing the known strategies and presets.
const StrategyInfo& find_strategy(const std::string& name);
// Same, but nullptr for an unknown name (for readers of traces from other builds).
const StrategyInfo* lookup_strategy(const std::string& name);

// The strategy that computes the batch-1 autoregressive reference (the first row that does
// not draft).
const StrategyInfo& reference_strategy();

// Adds a row (tests and extensions). Throws InputError for an empty or taken name (a preset
// name included) or a missing run function. Not synchronized: register before any run or
// sweep starts; rows are never removed, so references into the registry stay valid.
void register_strategy(StrategyInfo info);

// The trace's spelling of a layout: "padded" or "packed".
const char* layout_name(Layout layout);

// Traits that several readers combine (each is a pure function of the row).
// The batch holds more than one sequence at a time.
bool batches_several(const StrategyInfo& s);
// Keeps padding between rounds (the rectangular layout at rest); exspec and packed do not.
bool pads_at_rest(const StrategyInfo& s);
// Whether the published ("paper") realignment cost applies: unpad-append-repad strategies.
bool has_paper_realignment(const StrategyInfo& s);
// Admits from a pool of `window` sequences (which must hold a full batch).
bool uses_window_pool(const StrategyInfo& s);
// Plain autoregressive decoding: no drafts.
bool decodes_without_drafts(const StrategyInfo& s);

// Whether `name` is a known strategy (or preset) whose row has `trait`; false when unknown
// (a trace written by a build with other strategies).
bool strategy_is(const std::string& name, bool (*trait)(const StrategyInfo& strategy));

}  // namespace lockstep::sim
