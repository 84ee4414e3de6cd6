// Canonical JSON of every trace record (see trace_schema.h); the strict parse is in
// trace_parse.cpp and lists the same fields. The golden trace digests pin the written bytes.
#include "sim/trace_schema.h"

#include <iterator>

#include "sim/hash.h"
#include "sim/trace_judgement.h"

namespace lockstep::sim::trace {
namespace {

using nlohmann::json;

json tags_json(const std::vector<TokenTag>& tags) {
  json out = json::array();
  for (const auto& t : tags) out.push_back({t.seq, t.index});
  return out;
}

json to_json_of(const RunRecord& r) {
  json j = {{"event", "run"},
            {"scenario", r.scenario},
            {"strategy", r.strategy},
            {"batch_size", r.batch_size},
            {"k", r.k},
            {"max_new_tokens", r.max_new_tokens},
            {"window", r.window},
            {"eos_token", r.eos_token ? json(*r.eos_token) : json()},
            {"target", r.target},
            {"target_seed", r.target_seed},
            {"draft_model", r.draft_model},
            {"draft_seed", r.draft_seed},
            {"sequences", r.sequences},
            {"prompts", hex64(r.prompts)},
            {"faults", r.faults}};
  if (!r.numerics.empty()) j["numerics"] = r.numerics;
  if (r.sampling) {
    const SamplingOptions& o = *r.sampling;
    j["sampling"] = {{"temperature", static_cast<double>(o.params.temperature)},
                     {"top_k", o.params.top_k},
                     {"top_p", o.params.top_p},
                     {"seed", o.seed},
                     {"acceptance", acceptance_name(o.acceptance)}};
    // Only when not the default, so the traces of earlier sampled runs keep their bytes.
    if (o.draft_uniform != DraftUniform::own)
      j["sampling"]["draft_uniform"] = draft_uniform_name(o.draft_uniform);
  }
  return j;
}

json to_json_of(const CacheRecord& r) {
  return {{"event", "cache"}, {"model", r.model},       {"cache", r.cache},
          {"rows", r.rows},   {"capacity", r.capacity}, {"bytes_per_slot", r.bytes_per_slot}};
}

json to_json_of(const PassRecord& r) {
  return {{"event", "pass"},
          {"step", r.step},
          {"model", r.model},
          {"form", r.form},
          {"rows", r.rows},
          {"tokens", r.tokens},
          {"past", r.past},
          {"inputs", hex64(r.inputs)},
          {"positions", hex64(r.positions)},
          {"mask", hex64(r.mask)},
          {"argmax", hex64(r.argmax)},
          {"logits", hex64(r.logits)}};
}

json to_json_of(const DetailPassRecord& r) {
  json j = {{"event", "detail"},
            {"what", "pass"},
            {"step", r.step},
            {"model", r.model},
            {"form", r.packed ? "packed" : "padded"},
            {"cache", r.cache},
            {"cache_rows", r.cache_rows},
            {"input_ids", r.input_ids},
            {"positions", r.positions},
            {"tags", tags_json(r.tags)},
            {"argmax", r.argmax}};
  if (r.packed) {
    j["row_offsets"] = r.row_offsets;
    j["kv_extent"] = r.kv_extent;
  } else {
    j["rows"] = r.rows;
    j["tokens"] = r.tokens;
    j["past"] = r.past;
    j["write_slots"] = r.write_slots;
    j["mask"] = r.mask;
  }
  return j;
}

json to_json_of(const DetailCropRecord& r) {
  return {{"event", "detail"}, {"what", "crop"}, {"step", r.step},
          {"cache", r.cache},  {"row", r.row},   {"from", r.from}};
}

json side_json(const std::optional<DivergenceSide>& side) {
  if (!side) return nullptr;
  json pass = nullptr;
  if (const auto& p = side->pass) {
    pass = {{"kind", p->kind}, {"form", p->form},
            {"step", p->step}, {"commit_step", p->commit_step},
            {"rows", p->rows}, {"tokens", p->tokens},
            {"past", p->past}};
  }
  json top2 = nullptr;
  if (const auto& t = side->top2)
    top2 = {{"best", t->best}, {"second", t->second}, {"second_token", t->second_token}};
  return {{"token", side->token}, {"pass", pass}, {"top2", top2}};
}

json to_json_of(const DetailDivergenceRecord& r) {
  return {{"event", "detail"},       {"what", "divergence"},
          {"step", r.step},          {"seq", r.seq},
          {"position", r.position},  {"index", r.index},
          {"run", side_json(r.run)}, {"ar", side_json(r.ar)}};
}

json to_json_of(const DetailSampleRecord& r) {
  return {{"event", "detail"},
          {"what", "sample"},
          {"step", r.step},
          {"seq", r.seq},
          {"position", r.position},
          {"token", r.token},
          {"weight", r.weight},
          {"total", r.total},
          {"draft", r.draft ? json(*r.draft) : json()},
          {"draft_weight", r.draft_weight}};
}

json to_json_of(const VerifyRecord& r) {
  json rows = json::array();
  for (const auto& v : r.rows) {
    rows.push_back({{"seq", v.seq},
                    {"row", v.row},
                    {"pad", v.pad},
                    {"drafts", v.drafts},
                    {"targets", v.targets},
                    {"accepted", v.accepted},
                    {"committed", v.committed},
                    {"finished", v.finished}});
    if (v.sampled) add_judgement(v.judged, *v.sampled, rows.back());
  }
  return {{"event", "verify"}, {"step", r.step},       {"form", r.form},
          {"width", r.width},  {"grouped", r.grouped}, {"rows", rows}};
}

json to_json_of(const MovesRecord& r) {
  json moves = json::array();
  for (const auto& m : r.moves)
    moves.push_back({m.src_row, m.src_slot, m.dst_row, m.dst_slot, m.length});
  return {{"event", "moves"}, {"step", r.step}, {"model", r.model}, {"src", r.src},
          {"dst", r.dst},     {"moves", moves}, {"bytes", r.bytes}};
}

json to_json_of(const StateRecord& r) {
  json rows = json::array();
  for (const auto& p : r.rows) {
    rows.push_back({{"seq", p.seq},
                    {"model", p.model},
                    {"row", p.row},
                    {"first", p.first},
                    {"length", p.length},
                    {"width", p.width},
                    {"kv", hex64(p.kv)}});
  }
  return {{"event", "state"}, {"step", r.step}, {"rows", rows}};
}

json to_json_of(const FinishRecord& r) {
  return {{"event", "finish"}, {"step", r.step}, {"seq", r.seq}, {"generated", r.generated}};
}

json to_json_of(const ViolationRecord& r) {
  return {{"event", "violation"}, {"invariant", r.invariant}, {"step", r.step},
          {"row", r.row},         {"slot", r.slot},           {"detail", r.detail}};
}

json to_json_of(const TimingRecord& r) {
  const StageSeconds& s = r.stage_seconds;
  return {{"event", "timing"},
          {"backend", r.backend},
          {"run_seconds", r.run_seconds},
          {"reference_seconds", r.reference_seconds},
          {"stage_seconds",
           {{"draft", s.draft},
            {"verify", s.verify},
            {"realign", s.realign},
            {"prefill", s.prefill},
            {"other", s.other}}}};
}

}  // namespace

const char* event_name(const Record& record) {
  static constexpr const char* kNames[] = {"run",    "cache",  "pass",  "detail", "detail",
                                           "verify", "moves",  "state", "finish", "violation",
                                           "timing", "detail", "detail"};
  static_assert(std::size(kNames) == std::variant_size_v<Record>);
  return kNames[record.index()];
}

bool in_digest(const Record& record) {
  return !std::holds_alternative<TimingRecord>(record) &&
         !std::holds_alternative<DetailPassRecord>(record) &&
         !std::holds_alternative<DetailCropRecord>(record) &&
         !std::holds_alternative<DetailDivergenceRecord>(record) &&
         !std::holds_alternative<DetailSampleRecord>(record);
}

int record_line(const Record& record) {
  return std::visit([](const auto& r) { return r.line; }, record);
}

json to_json(const Record& record) {
  return std::visit([](const auto& r) { return to_json_of(r); }, record);
}

}  // namespace lockstep::sim::trace
