// Picks the pictures' records out of a trace read by the one reader (see trace_events.h).
#include "viz/trace_events.h"

#include <algorithm>

#include "sim/error.h"
#include "sim/trace_reader.h"

namespace lockstep::viz {

int event_step(const Event& e) {
  return std::visit(
      [](const auto& r) {
        if constexpr (std::is_same_v<std::decay_t<decltype(r)>, CacheRecord>) {
          return 0;
        } else {
          return r.step;
        }
      },
      e);
}

std::string event_where(const Trace& trace, int line) {
  return trace.name + ": line " + std::to_string(line);
}

Trace read_trace_file(const std::string& path) {
  sim::trace::TraceFile file = sim::trace::read_trace_file(path);
  Trace trace;
  trace.name = path;
  if (!file.closed) {
    throw InputError(event_where(trace, file.lines) +
                     ": the trace ends without its closing \"timing\" record (truncated?)");
  }
  trace.run = file.run();
  for (auto& record : file.records) {
    std::visit(
        [&trace](auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, ViolationRecord>) {
            trace.violations.push_back(std::move(r));
          } else if constexpr (std::is_same_v<T, DivergenceRecord>) {
            trace.divergences.push_back(std::move(r));
          } else if constexpr (std::is_same_v<T, SampleRecord>) {
            trace.samples.push_back(std::move(r));
          } else if constexpr (std::is_constructible_v<Event, T>) {
            trace.has_details =
                trace.has_details || std::is_same_v<T, PassRecord> || std::is_same_v<T, CropRecord>;
            trace.events.emplace_back(std::move(r));
            trace.last_step = std::max(trace.last_step, event_step(trace.events.back()));
          }
        },
        record);
  }
  return trace;
}

}  // namespace lockstep::viz
