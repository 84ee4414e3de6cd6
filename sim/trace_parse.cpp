// The strict parse of trace records (trace_schema.h, from_json): exactly the fields
// trace_schema.cpp writes, each of its type, plus the cross-field facts readers rely on.
#include <algorithm>
#include <cstdint>
#include <map>

#include "sim/error.h"
#include "sim/trace_fields.h"
#include "sim/trace_judgement.h"
#include "sim/trace_schema.h"

namespace lockstep::sim::trace {
namespace {

using nlohmann::json;

// The run record's "sampling" object: the parameters of a sampled run, each re-checked.
SamplingOptions read_sampling(Fields& run) {
  Fields f = run.object("sampling");
  SamplingOptions o;
  o.params.temperature = static_cast<float>(f.number("temperature"));
  o.params.top_k = f.count("top_k");
  o.params.top_p = f.number("top_p");
  o.seed = f.seed("seed");
  o.acceptance = parse_acceptance(f.text("acceptance"), "field 'sampling.acceptance'");
  if (f.has("draft_uniform")) {
    o.draft_uniform =
        parse_draft_uniform(f.text("draft_uniform"), "field 'sampling.draft_uniform'");
    if (o.draft_uniform == DraftUniform::own)
      run.fail_field("sampling", "has draft_uniform only when it is not \"own\"");
  }
  f.finish();
  try {
    check_sampling_options(o);
  } catch (const InputError& e) {
    run.fail_field("sampling", e.what());
  }
  if (o.greedy()) run.fail_field("sampling", "is written only for sampled runs (temperature > 0)");
  return o;
}

RunRecord read_run(Fields& f) {
  RunRecord r;
  r.scenario = f.text("scenario");
  r.strategy = f.text("strategy");
  r.batch_size = f.count("batch_size");
  r.k = f.count("k");
  r.max_new_tokens = f.count("max_new_tokens");
  r.window = f.count("window");
  if (const json& eos = f.at("eos_token"); !eos.is_null()) r.eos_token = f.integer("eos_token");
  r.target = f.text("target");
  r.target_seed = f.seed("target_seed");
  r.draft_model = f.text("draft_model");
  r.draft_seed = f.seed("draft_seed");
  r.sequences = f.count("sequences");
  r.prompts = f.hex("prompts");
  r.faults = f.strings("faults");
  if (f.has("numerics")) {
    r.numerics = f.text("numerics");
    if (r.numerics != "float" && r.numerics != "bf16")
      f.fail_field("numerics", "must be \"float\" or \"bf16\" when present");
  }
  if (f.has("sampling")) r.sampling = read_sampling(f);
  return r;
}

CacheRecord read_cache(Fields& f) {
  return {.model = f.model("model"),
          .cache = f.count("cache"),
          .rows = f.count("rows"),
          .capacity = f.count("capacity"),
          .bytes_per_slot = f.count64("bytes_per_slot")};
}

PassRecord read_pass(Fields& f) {
  return {.step = f.count("step"),
          .model = f.model("model"),
          .form = f.form("form"),
          .rows = f.count("rows"),
          .tokens = f.count("tokens"),
          .past = f.count("past"),
          .inputs = f.hex("inputs"),
          .positions = f.hex("positions"),
          .mask = f.hex("mask"),
          .argmax = f.hex("argmax"),
          .logits = f.hex("logits")};
}

bool is_int32(const json& v) {
  return v.is_number_integer() && v.get<std::int64_t>() >= INT32_MIN &&
         v.get<std::int64_t>() <= INT32_MAX &&
         !(v.is_number_unsigned() && v.get<std::uint64_t>() > INT32_MAX);
}

std::vector<TokenTag> read_tags(Fields& f) {
  std::vector<TokenTag> tags;
  for (const auto& t : f.array("tags")) {
    if (!t.is_array() || t.size() != 2 || !is_int32(t[0]) || !is_int32(t[1]))
      f.fail_field("tags", "must be an array of [seq, index] pairs");
    tags.push_back({t[0].get<std::int32_t>(), t[1].get<std::int32_t>()});
  }
  return tags;
}

void read_packed_layout(Fields& f, DetailPassRecord& p) {
  const std::size_t n = p.input_ids.size();
  p.row_offsets = f.ints("row_offsets");
  p.kv_extent = f.ints("kv_extent");
  bool ordered = !p.row_offsets.empty() && p.row_offsets.front() == 0;
  for (std::size_t r = 1; ordered && r < p.row_offsets.size(); ++r)
    ordered = p.row_offsets[r] >= p.row_offsets[r - 1];
  if (!ordered || p.row_offsets.size() != p.cache_rows.size() + 1 ||
      p.row_offsets.back() != static_cast<int>(n))
    f.fail_field("row_offsets", "must have rows + 1 entries from 0 rising to the token count");
  if (p.kv_extent.size() != p.cache_rows.size())
    f.fail_field("kv_extent", "must have one entry per row");
  for (int e : p.kv_extent)
    if (e < 0) f.fail_field("kv_extent", "must hold non-negative slots");
}

void read_padded_layout(Fields& f, DetailPassRecord& p) {
  const std::size_t n = p.input_ids.size();
  p.rows = f.count("rows");
  p.tokens = f.count("tokens");
  p.past = f.count("past");
  p.write_slots = f.ints("write_slots");
  p.mask = f.strings("mask");
  if (n != static_cast<std::size_t>(p.rows) * static_cast<std::size_t>(p.tokens))
    f.fail_field("input_ids", "must hold rows x tokens entries");
  if (p.write_slots.size() != n) f.fail_field("write_slots", "must hold rows x tokens entries");
  if (p.cache_rows.size() != static_cast<std::size_t>(p.rows))
    f.fail_field("cache_rows", "must have one entry per row");
  if (p.mask.size() != static_cast<std::size_t>(p.rows))
    f.fail_field("mask", "must have one string per row");
  for (const auto& m : p.mask) {
    if (m.size() != static_cast<std::size_t>(p.past) + static_cast<std::size_t>(p.tokens) ||
        m.find_first_not_of("01") != std::string::npos)
      f.fail_field("mask", "rows must be past + tokens columns of '0' or '1'");
  }
}

DetailPassRecord read_detail_pass(Fields& f) {
  DetailPassRecord p;
  p.step = f.count("step");
  p.model = f.model("model");
  p.packed = f.form("form") == "packed";
  p.cache = f.count("cache");
  p.cache_rows = f.ints("cache_rows");
  p.input_ids = f.ints("input_ids");
  p.positions = f.ints("positions");
  p.tags = read_tags(f);
  p.argmax = f.ints("argmax");
  const std::size_t n = p.input_ids.size();
  if (p.positions.size() != n || p.tags.size() != n || p.argmax.size() != n)
    f.fail_field("positions", "and 'tags' and 'argmax' must have one entry per input id");
  if (p.packed) {
    read_packed_layout(f, p);
  } else {
    read_padded_layout(f, p);
  }
  return p;
}

std::optional<DivergenceSide> read_divergence_side(Fields& f, const std::string& name) {
  if (f.at(name).is_null()) return std::nullopt;
  Fields s = f.object(name);
  DivergenceSide side{.token = s.integer("token")};
  if (!s.at("pass").is_null()) {
    Fields p = s.object("pass");
    side.pass = DivergencePass{.kind = p.text("kind"),
                               .form = p.form("form"),
                               .step = p.count("step"),
                               .commit_step = p.count("commit_step"),
                               .rows = p.count("rows"),
                               .tokens = p.count("tokens"),
                               .past = p.count("past")};
    if (side.pass->kind != "prefill" && side.pass->kind != "decode" && side.pass->kind != "verify")
      p.fail_field("kind", "must be \"prefill\", \"decode\" or \"verify\"");
    p.finish();
  }
  if (!s.at("top2").is_null()) {
    Fields t = s.object("top2");
    side.top2 = DivergenceTop2{.best = t.number("best"),
                               .second = t.number("second"),
                               .second_token = t.integer("second_token")};
    t.finish();
  }
  s.finish();
  return side;
}

DetailDivergenceRecord read_detail_divergence(Fields& f) {
  DetailDivergenceRecord d{.step = f.count("step"),
                           .seq = f.count("seq"),
                           .position = f.count("position"),
                           .index = f.count("index")};
  d.run = read_divergence_side(f, "run");
  d.ar = read_divergence_side(f, "ar");
  return d;
}

DetailSampleRecord read_detail_sample(Fields& f) {
  DetailSampleRecord s{.step = f.count("step"),
                       .seq = f.count("seq"),
                       .position = f.count("position"),
                       .token = f.count("token"),
                       .weight = f.seed("weight"),
                       .total = f.seed("total")};
  if (!f.at("draft").is_null()) s.draft = f.count("draft");
  s.draft_weight = f.seed("draft_weight");
  if (s.total == 0 || s.weight > s.total || s.draft_weight > s.total)
    f.fail_field("weight", "and 'draft_weight' must not exceed the positive 'total'");
  if (!s.draft && s.draft_weight != 0)
    f.fail_field("draft_weight", "must be 0 when there is no draft");
  return s;
}

Record read_detail(Fields& f) {
  const std::string what = f.text("what");
  if (what == "pass") return read_detail_pass(f);
  if (what == "divergence") return read_detail_divergence(f);
  if (what == "sample") return read_detail_sample(f);
  if (what != "crop")
    f.fail_field("what",
                 "must be \"pass\", \"crop\", \"divergence\" or \"sample\", got \"" + what + "\"");
  return DetailCropRecord{.step = f.count("step"),
                          .cache = f.count("cache"),
                          .row = f.count("row"),
                          .from = f.count("from")};
}

VerifyRecord read_verify(Fields& f) {
  VerifyRecord v{.step = f.count("step"),
                 .form = f.form("form"),
                 .width = f.count("width"),
                 .grouped = f.boolean("grouped")};
  const json& rows = f.array("rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Fields row = f.element("rows", i, rows[i]);
    VerifyRow r{.seq = row.count("seq"),
                .row = row.count("row"),
                .pad = row.count("pad"),
                .accepted = row.count("accepted"),
                .committed = row.count("committed"),
                .finished = row.boolean("finished"),
                .drafts = row.ints("drafts"),
                .targets = row.ints("targets")};
    if (row.has("sampled")) read_judgement(row, r.judged, r.sampled);
    row.finish();
    if (r.targets.size() != r.drafts.size() + 1)
      row.fail_field("targets", "must hold one more entry than 'drafts'");
    if (static_cast<std::size_t>(r.accepted) > r.drafts.size())
      row.fail_field("accepted", "exceeds the number of drafts");
    v.rows.push_back(std::move(r));
  }
  return v;
}

MovesRecord read_moves(Fields& f) {
  MovesRecord m{.step = f.count("step"),
                .model = f.model("model"),
                .src = f.count("src"),
                .dst = f.count("dst")};
  const json& moves = f.array("moves");
  for (std::size_t i = 0; i < moves.size(); ++i) {
    const json& e = moves[i];
    const bool ok =
        e.is_array() && e.size() == 5 && std::all_of(e.begin(), e.end(), [](const json& x) {
          return x.is_number_integer() && x.get<std::int64_t>() >= 0 &&
                 x.get<std::int64_t>() <= 1 << 30;
        });
    if (!ok)
      f.fail_field("moves[" + std::to_string(i) + "]",
                   "must be [src_row, src_slot, dst_row, dst_slot, length], non-negative integers");
    m.moves.push_back({e[0].get<std::int32_t>(), e[1].get<std::int32_t>(), e[2].get<std::int32_t>(),
                       e[3].get<std::int32_t>(), e[4].get<std::int32_t>()});
  }
  m.bytes = f.count64("bytes");
  return m;
}

StateRecord read_state(Fields& f) {
  StateRecord s{.step = f.count("step")};
  const json& rows = f.array("rows");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Fields row = f.element("rows", i, rows[i]);
    s.rows.push_back({.seq = row.count("seq"),
                      .model = row.model("model"),
                      .row = row.count("row"),
                      .first = row.count("first"),
                      .length = row.count("length"),
                      .width = row.count("width"),
                      .kv = row.hex("kv")});
    row.finish();
  }
  return s;
}

TimingRecord read_timing(Fields& f) {
  TimingRecord t{.backend = f.text("backend"),
                 .run_seconds = f.number("run_seconds"),
                 .reference_seconds = f.number("reference_seconds")};
  Fields s = f.object("stage_seconds");
  t.stage_seconds = {.draft = s.number("draft"),
                     .verify = s.number("verify"),
                     .realign = s.number("realign"),
                     .prefill = s.number("prefill"),
                     .other = s.number("other")};
  s.finish();
  return t;
}

using Reader = Record (*)(Fields&);

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> table = {
      {"run", [](Fields& f) -> Record { return read_run(f); }},
      {"cache", [](Fields& f) -> Record { return read_cache(f); }},
      {"pass", [](Fields& f) -> Record { return read_pass(f); }},
      {"detail", read_detail},
      {"verify", [](Fields& f) -> Record { return read_verify(f); }},
      {"moves", [](Fields& f) -> Record { return read_moves(f); }},
      {"state", [](Fields& f) -> Record { return read_state(f); }},
      {"finish",
       [](Fields& f) -> Record {
         return FinishRecord{
             .step = f.count("step"), .seq = f.count("seq"), .generated = f.ints("generated")};
       }},
      {"violation",
       [](Fields& f) -> Record {
         return ViolationRecord{.invariant = f.text("invariant"),
                                .step = f.count("step"),
                                .row = f.integer("row"),
                                .slot = f.integer("slot"),
                                .detail = f.text("detail")};
       }},
      {"timing", [](Fields& f) -> Record { return read_timing(f); }},
  };
  return table;
}

}  // namespace

Record from_json(const json& value, const std::string& where, int line) {
  Fields f(value, where, "");
  const std::string event = f.text("event");
  const auto it = readers().find(event);
  if (it == readers().end()) f.fail("unknown event '" + event + "'");
  Record record = it->second(f);
  f.finish();
  std::visit([line](auto& r) { r.line = line; }, record);
  return record;
}

}  // namespace lockstep::sim::trace
