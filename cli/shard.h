// `--shard I/M` for `lockstep replay` and `lockstep sweep`, and the completeness check of
// `lockstep merge`: work item i (a scenario, a grid point) belongs to shard i mod M, so the
// split depends only on the item's index, never on thread count or timing.
// Not here: what a shard file holds (cli/replay_shard.h, cli/sweep_shard.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace lockstep::cli {

struct ShardSpec {
  int index = 0;  // I, 0-based
  int count = 1;  // M >= 1
  bool owns(std::size_t item) const { return static_cast<int>(item % count) == index; }
  std::string label() const;  // "I/M"
};

// Parses "I/M" (decimal, 0 <= I < M). Throws InputError naming `option` and the bad value.
ShardSpec parse_shard(const std::string& text, const std::string& option = "--shard");

// Checks that `shards` (one per file in `sources`) are exactly 0/M .. M-1/M, each once, all
// with the same M. Throws InputError naming the duplicated or missing shards and their files.
void check_shard_set(const std::vector<ShardSpec>& shards, const std::vector<std::string>& sources);

// Calls `parse(number, line)` for each line of a shard file (number from 1) and returns the
// line count; any exception becomes an InputError naming "source:number".
int for_each_line(const std::string& text, const std::string& source,
                  const std::function<void(int, const std::string&)>& parse);

// The whole file; InputError naming it when it cannot be read.
std::string read_text_file(const std::string& path);

}  // namespace lockstep::cli
