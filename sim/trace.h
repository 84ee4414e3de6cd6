// Canonical traces (DESIGN §7): JSON Lines, one record per event, keys in sorted order,
// integers and hex digests only. Records of event "timing" carry wall-clock figures and are
// kept out of the digest, so the digest compares runs across machines and backends; records
// of event "detail" (full tensors, on request) are kept out too, so the digest does not
// depend on how much was written. Records are typed (sim/trace_schema.h); their JSON form is
// the schema's, so the one reader (sim/trace_reader.h) reads back exactly what was written.
#pragma once

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>

#include "sim/hash.h"
#include "sim/trace_schema.h"

namespace lockstep::sim {

class TraceWriter {
 public:
  // Digest only (no file). `keep_lines` is for tests that inspect records.
  TraceWriter() = default;
  // Also writes every line to `path`; the file is written to `path + ".partial"` and renamed
  // on close(), so a failed run never leaves a half-written trace under the final name.
  explicit TraceWriter(const std::string& path);
  ~TraceWriter();
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;

  void record(const trace::Record& record);
  // Finishes the file (rename into place). Throws InputError if it cannot be written.
  void close();
  // FNV-1a over the bytes of every non-timing line, newline included: the digest of the
  // trace file with its timing lines removed.
  std::uint64_t digest() const { return digest_.value(); }
  std::int64_t records() const { return records_; }

 private:
  std::string path_;
  std::ofstream file_;
  Fnv1a digest_;
  std::int64_t records_ = 0;
};

}  // namespace lockstep::sim
