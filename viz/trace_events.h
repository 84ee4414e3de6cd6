// The records of a trace the pictures need, in file order, from the one trace reader
// (sim/trace_reader.h): caches, detail passes and crops, verify results, move plans, state
// records, violations, numerics divergences and coupled runs' target samples; digest-only records
// ("pass", "finish") are dropped.
// Every record keeps its line so later stages can name it in errors. Throws lockstep::InputError
// naming the file, line and field for malformed input, and for a trace cut short (no closing
// "timing" record).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sim/trace_schema.h"

namespace lockstep::viz {

using Tag = sim::TokenTag;
using RunInfo = sim::trace::RunRecord;
using CacheRecord = sim::trace::CacheRecord;
using PassRecord = sim::trace::DetailPassRecord;
using CropRecord = sim::trace::DetailCropRecord;
using MovesRecord = sim::trace::MovesRecord;
using VerifyRecord = sim::trace::VerifyRecord;
using StateRecord = sim::trace::StateRecord;
using ViolationRecord = sim::trace::ViolationRecord;
using DivergenceRecord = sim::trace::DetailDivergenceRecord;
using SampleRecord = sim::trace::DetailSampleRecord;

using Event =
    std::variant<CacheRecord, PassRecord, CropRecord, MovesRecord, VerifyRecord, StateRecord>;

struct Trace {
  std::string name;  // file name, for messages
  RunInfo run;
  std::vector<Event> events;  // in file order
  std::vector<ViolationRecord> violations;
  std::vector<DivergenceRecord> divergences;  // numerics divergences (float numerics)
  std::vector<SampleRecord> samples;          // coupled sampling: p of each sample and draft
  int last_step = 0;
  bool has_details = false;
};

Trace read_trace_file(const std::string& path);

int event_step(const Event& e);  // 0 for cache records
// Where an event was read, for messages ("NAME: line N").
std::string event_where(const Trace& trace, int line);

}  // namespace lockstep::viz
