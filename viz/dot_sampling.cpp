// The "sampling" block of a step's picture (see dot_sampling.h).
#include "viz/dot_sampling.h"

#include <algorithm>
#include <cstdio>

#include "viz/dot_html.h"

namespace lockstep::viz {
namespace {

constexpr std::size_t kTokenColumns = 8;

bool rejection(const StepView& v) {
  return v.run.sampling && v.run.sampling->acceptance == sim::Acceptance::rejection;
}

std::string fraction(numerics::WideWeight weight, numerics::WideWeight total) {
  return numerics::wide_decimal(weight) + "/" + numerics::wide_decimal(total);
}

// "123" or, with a text source, `123 "x"`.
std::string token_label(sim::Token token, const sim::TokenText* text) {
  std::string out = std::to_string(token);
  if (text != nullptr) out += " \"" + sim::cut_line(text->token(token), kTokenColumns) + "\"";
  return out;
}

void lines_cell(std::ostream& o, CellKind kind, const std::string& title,
                std::initializer_list<std::string> lines) {
  o << "<TD CELLPADDING=\"2\" BGCOLOR=\"" << kind_color(kind) << "\" COLOR=\"#9e9e9e\" TITLE=\""
    << html_escape(title) << "\" HREF=\"#\"><FONT POINT-SIZE=\"8\">";
  bool first = true;
  for (const auto& line : lines) {
    if (!first) o << "<BR/>";
    o << html_escape(line);
    first = false;
  }
  o << "</FONT></TD>";
}

void judged_cell(std::ostream& o, const StepView& v, const GridRow& g, std::size_t i,
                 const sim::TokenText* text) {
  const sim::JudgedDraft& j = g.judged[i];
  const CellKind kind = j.accepted ? CellKind::accepted : CellKind::rejected;
  const int index = g.first_draft + static_cast<int>(i);
  std::string title = std::string(kind_name(kind)) + " seq " + std::to_string(g.seq) + " index " +
                      std::to_string(index) + " token " + std::to_string(j.draft) + " p " +
                      fraction(j.p_weight, j.p_total);
  if (rejection(v)) {
    title += " q " + fraction(j.q_weight, j.q_total);
    lines_cell(o, kind, title,
               {"d " + token_label(j.draft, text), "p " + probability_text(j.p_weight, j.p_total),
                "q " + probability_text(j.q_weight, j.q_total)});
  } else {
    lines_cell(o, kind, title,
               {"d " + token_label(j.draft, text), "p " + probability_text(j.p_weight, j.p_total)});
  }
}

void drawn_cell(std::ostream& o, const GridRow& g, const sim::TokenText* text) {
  const sim::SampledToken& s = *g.drawn;
  int index = g.first_draft;  // after the accepted drafts
  for (const auto& j : g.judged) index += j.accepted ? 1 : 0;
  const std::string source = s.source == "residual" ? "residual norm(max(0, p-q))"
                             : s.source == "bonus"  ? "bonus, from p"
                                                    : "target's keyed sample";
  lines_cell(
      o, CellKind::bonus,
      "drawn seq " + std::to_string(g.seq) + " index " + std::to_string(index) + " token " +
          std::to_string(s.token) + " source " + s.source + " p " + fraction(s.weight, s.total),
      {"→ " + token_label(s.token, text), "p " + probability_text(s.weight, s.total), source});
}

}  // namespace

std::string probability_text(numerics::WideWeight weight, numerics::WideWeight total) {
  if (total == 0) return "?";
  const auto p =
      static_cast<double>(static_cast<long double>(weight) / static_cast<long double>(total));
  char out[32];
  std::snprintf(out, sizeof out, "%#.3g", p);
  return out;
}

bool has_sampling(const StepView& view) {
  for (const auto& g : view.grid)
    if (!g.judged.empty() || g.drawn) return true;
  return false;
}

void write_sampling(std::ostream& o, const StepView& view, const sim::TokenText* text) {
  if (!has_sampling(view)) return;
  block_open(o, kSamplingNode,
             rejection(view) ? "rejection sampling: each judged draft d with p(d) and q(d), "
                               "accepted iff u < p(d)/q(d); then the token drawn"
                             : "coupled sampling: each judged draft d with p(d), accepted iff it "
                               "equals the target's keyed sample; then that sample");
  std::size_t columns = 0;
  for (const auto& g : view.grid) columns = std::max(columns, g.judged.size());
  for (const auto& g : view.grid) {
    o << "<TR><TD BORDER=\"0\" ALIGN=\"RIGHT\"><FONT POINT-SIZE=\"9\">row " << g.cache_row
      << " · seq " << g.seq << "</FONT></TD>";
    for (std::size_t i = 0; i < g.judged.size(); ++i) judged_cell(o, view, g, i, text);
    // Rows that judged fewer drafts keep their drawn token in the last column.
    for (std::size_t i = g.judged.size(); i < columns; ++i) o << "<TD BORDER=\"0\"></TD>";
    o << "<TD BORDER=\"0\" WIDTH=\"8\"></TD>";
    if (g.drawn) {
      drawn_cell(o, g, text);
    } else {
      o << "<TD BORDER=\"0\"></TD>";
    }
    o << "</TR>";
  }
  o << kBlockClose;
}

std::string sampling_legend(const StepView& view) {
  const char* br = "<BR ALIGN=\"LEFT\"/>";
  std::string out =
      std::string("sampling block: d = drafted token,") + br + "p = the target's probability" + br;
  if (rejection(view))
    out += std::string("of d, q = the draft's;") + br;
  else
    out += std::string("of d (coupled: no q);") + br;
  out += std::string("→ = the token drawn after the") + br + "accepted drafts, its probability" +
         br + "and source; 3 significant digits," + br + "exact fractions in the trace" + br;
  return out;
}

}  // namespace lockstep::viz
