#include "sim/trace_judgement.h"

#include <string>

namespace lockstep::sim::trace {
namespace {

using nlohmann::json;

// A decimal string of a 128-bit unsigned integer; fails the field otherwise.
numerics::WideWeight read_wide(Fields& f, const std::string& name) {
  const std::string text = f.text(name);
  const auto limit = ~numerics::WideWeight{0};
  numerics::WideWeight value = 0;
  bool ok = !text.empty() && text.size() <= 39 && (text == "0" || text[0] != '0');
  for (const char c : text) {
    if (!ok || c < '0' || c > '9' || value > (limit - static_cast<unsigned>(c - '0')) / 10) {
      ok = false;
      break;
    }
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (!ok) f.fail_field(name, "must be a decimal string of an unsigned 128-bit integer");
  return value;
}

}  // namespace

void add_judgement(const std::vector<JudgedDraft>& judged, const SampledToken& sampled, json& row) {
  json drafts = json::array();
  for (const auto& j : judged) {
    drafts.push_back({{"draft", j.draft},
                      {"p_weight", j.p_weight},
                      {"p_total", j.p_total},
                      {"q_weight", j.q_weight},
                      {"q_total", j.q_total},
                      {"accepted", j.accepted}});
  }
  row["judged"] = drafts;
  row["sampled"] = {{"source", sampled.source},
                    {"token", sampled.token},
                    {"weight", numerics::wide_decimal(sampled.weight)},
                    {"total", numerics::wide_decimal(sampled.total)}};
}

void read_judgement(Fields& row, std::vector<JudgedDraft>& judged,
                    std::optional<SampledToken>& sampled) {
  const json& items = row.array("judged");
  for (std::size_t i = 0; i < items.size(); ++i) {
    Fields f = row.element("judged", i, items[i]);
    JudgedDraft j{.draft = f.count("draft"),
                  .p_weight = f.seed("p_weight"),
                  .p_total = f.seed("p_total"),
                  .q_weight = f.seed("q_weight"),
                  .q_total = f.seed("q_total"),
                  .accepted = f.boolean("accepted")};
    f.finish();
    if (j.p_weight > j.p_total || j.q_weight > j.q_total || j.p_total == 0 || j.q_total == 0)
      f.fail("weights must not exceed their positive totals");
    if (!j.accepted && i + 1 != items.size()) f.fail("only the last judged draft may be rejected");
    judged.push_back(j);
  }
  Fields f = row.object("sampled");
  SampledToken s{.source = f.text("source"), .token = f.count("token")};
  s.weight = read_wide(f, "weight");
  s.total = read_wide(f, "total");
  f.finish();
  if (s.source != "residual" && s.source != "bonus")
    f.fail_field("source", "must be \"residual\" or \"bonus\"");
  if (s.weight > s.total || s.total == 0) f.fail("weight must not exceed its positive total");
  sampled = s;
}

}  // namespace lockstep::sim::trace
