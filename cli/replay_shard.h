// The shard report of `lockstep replay --report FILE` and its reader for `lockstep merge`.
// JSON Lines: one header object (the run's identity: backends, files, --random, --seed, ...,
// the shard and the total scenario count), then one object per scenario the shard ran, in
// index order, holding the exact text the single run prints for that scenario. Merging is
// then concatenation in index order: the merged report is the single run's, byte for byte
// (file scenarios print wall times, which are the shard's own).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cli/shard.h"

namespace lockstep::cli {

struct ReplayRunIdentity {
  std::string backends;  // "A,B"
  std::vector<std::string> files;
  int random = 0;
  std::uint64_t seed = 1;
  std::string specbench;
  bool check = true;
  int total = 0;  // files + random: every shard's scenarios together
};

struct ReplayShardEntry {
  int index = 0;  // among all scenarios: files first, then the random ones
  std::string name;
  // Exact numerics: the two traces are byte-identical. Float numerics (cross-backend bytes not
  // expected to match, docs/gpu.md "Float and bf16"): both backends hold every invariant.
  bool identical = true;
  int numerics_divergences = 0;  // float numerics: sequences off their backend's batch-1 AR
  std::string digest;            // trace digest of backend A (hex)
  std::string divergence;        // verify::describe text; empty when identical
  std::string text;              // what the single run prints for this scenario
};

struct ReplayShardReport {
  ReplayRunIdentity run;
  ShardSpec shard;
  std::vector<ReplayShardEntry> entries;
};

std::string replay_report_text(const ReplayShardReport& report);
// Throws InputError naming `source` when the text is not a replay shard report.
ReplayShardReport parse_replay_report(const std::string& text, const std::string& source);
// True when `text` starts like a replay shard report.
bool is_replay_report(const std::string& text);

// The closing line of a replay of several scenarios.
std::string replay_closing_line(int identical, int total, const std::string& backends);

// A replay's exit status: 1 if any scenario diverged (or broke an invariant), else 4 if a
// float scenario's sequences left batch-1 AR by numerics alone, else 0.
int replay_exit_status(const std::vector<const ReplayShardEntry*>& entries);

}  // namespace lockstep::cli
