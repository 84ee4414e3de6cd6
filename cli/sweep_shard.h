// The shard file of `lockstep sweep --shard I/M` and its reader for `lockstep merge`.
// Line 1: "# " and a JSON object: the shard, the grid's point count and digest, the sweep's
// command line (the plots' caption) and the grid's dimensions (for re-rendering the plots).
// Line 2: the sweep CSV header with a leading "grid_point" column; then the shard's rows, each
// led by its grid point index. Merging sorts the rows by grid point (stably: a point's rows
// keep their order) and drops that column: the single run's CSV, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "cli/shard.h"
#include "sim/cost_sweep.h"

namespace lockstep::cli {

struct SweepShardFile {
  ShardSpec shard;
  std::size_t points = 0;  // grid points of the whole sweep
  std::string grid;        // sim::sweep_grid_digest, hex
  std::string command;     // the sweep as options, for the plots' caption
  sim::SweepGrid dims;     // strategies, batch sizes, k, p, costs (no prompts)
  std::vector<std::pair<std::size_t, std::string>> rows;  // (grid point, CSV line)
};

std::string sweep_shard_text(const sim::SweepGrid& grid, const std::vector<sim::SweepRow>& rows,
                             ShardSpec shard, const std::string& command);
bool is_sweep_shard(const std::string& text);
// Throws InputError naming `source` and the line when the text is not a sweep shard file.
SweepShardFile parse_sweep_shard(const std::string& text, const std::string& source);

// The plotted fields of a sweep CSV's rows (strategy, batch size, k, p, cost, mode, tokens per
// step, tokens/s, realignment share), as write_sweep_plots reads them.
std::vector<sim::SweepRow> parse_sweep_rows(const std::string& csv);

}  // namespace lockstep::cli
