// The JSON of a verify row's rejection-sampling judgement (sim/trace_schema.h, VerifyRow's
// "judged" and "sampled"): written by trace_schema.cpp, read strictly by trace_parse.cpp.
// Internal to the trace schema.
#pragma once

#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/rejection.h"
#include "sim/trace_fields.h"

namespace lockstep::sim::trace {

// Adds "judged" and "sampled" to the row object `row`.
void add_judgement(const std::vector<JudgedDraft>& judged, const SampledToken& sampled,
                   nlohmann::json& row);
// Reads both (the row has "sampled"); checks that every judged draft but the last is accepted,
// that the weights do not exceed their totals and that the source is "residual" or "bonus".
void read_judgement(Fields& row, std::vector<JudgedDraft>& judged,
                    std::optional<SampledToken>& sampled);

}  // namespace lockstep::sim::trace
