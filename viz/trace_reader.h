// Reads a canonical lockstep trace (JSON Lines, docs/cli.md) into typed records for the
// pictures. Only what the pictures need is kept: caches, detail passes and crops, verify
// results, move plans and violations; digest-only records ("pass", "state", "finish") are
// skipped. Every record remembers its line so later stages can name it in errors.
// Throws lockstep::InputError naming the file, line and field for malformed input, and for
// a trace cut short (no closing "timing" record, or a half-written last line).
#pragma once

#include <cstdint>
#include <istream>
#include <string>
#include <variant>
#include <vector>

namespace lockstep::viz {

struct Tag {
  int seq = -1;  // -1: a pad
  int index = 0;
};

struct RunInfo {
  std::string scenario, strategy;
  int batch_size = 0, k = 0, window = 0;
};

struct CacheRecord {
  int line = 0;
  int cache = 0;
  std::string model;  // "target" | "draft"
  int rows = 0, capacity = 0;
  std::int64_t bytes_per_slot = 0;
};

// A "detail" pass. Padded: rows x tokens arrays, mask rows of past + tokens columns.
// Packed: tokens concatenated, row r owns [row_offsets[r], row_offsets[r+1]).
struct PassRecord {
  int line = 0;
  int step = 0;
  std::string model;
  bool packed = false;
  int cache = 0;
  int rows = 0, tokens = 0, past = 0;  // padded only
  std::vector<int> cache_rows, input_ids, positions, write_slots, row_offsets, kv_extent;
  std::vector<Tag> tags;
  std::vector<std::string> mask;
};

struct CropRecord {
  int line = 0, step = 0, cache = 0, row = 0, from = 0;
};

struct Move {
  int src_row = 0, src_slot = 0, dst_row = 0, dst_slot = 0, length = 0;
};

struct MovesRecord {
  int line = 0, step = 0;
  std::string model;
  int src = 0, dst = 0;
  std::vector<Move> moves;
  std::int64_t bytes = 0;
};

struct VerifyRow {
  int seq = 0, row = 0, pad = 0, accepted = 0, committed = 0;
  bool finished = false;
  std::vector<int> drafts, targets;
};

struct VerifyRecord {
  int line = 0, step = 0;
  std::string form;
  int width = 0;
  bool grouped = false;
  std::vector<VerifyRow> rows;
};

// Where each live sequence's KV lies at the end of a step ("state" record).
struct Placement {
  int seq = 0;
  std::string model;
  int row = 0, first = 0, length = 0;
};

struct StateRecord {
  int line = 0, step = 0;
  std::vector<Placement> rows;
};

struct ViolationRecord {
  int line = 0;
  std::string invariant;
  int step = 0, row = -1, slot = -1;
  std::string detail;
};

using Event =
    std::variant<CacheRecord, PassRecord, CropRecord, MovesRecord, VerifyRecord, StateRecord>;

struct Trace {
  std::string name;  // file name, for messages
  RunInfo run;
  std::vector<Event> events;  // in file order
  std::vector<ViolationRecord> violations;
  int last_step = 0;
  bool has_details = false;
};

Trace read_trace_file(const std::string& path);
// `name` is used in error messages ("NAME line N: ...").
Trace read_trace(std::istream& in, const std::string& name);

int event_step(const Event& e);  // 0 for cache records

}  // namespace lockstep::viz
