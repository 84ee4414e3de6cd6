#include "viz/dot_divergence.h"

#include <sstream>
#include <string>

#include "viz/dot_html.h"

namespace lockstep::viz {
namespace {

std::string gap_text(const sim::trace::DivergenceTop2& t) {
  std::ostringstream o;
  o.precision(6);
  o << "best " << t.best << " / second " << t.second << " (token " << t.second_token << "), gap "
    << t.best - t.second;
  return o.str();
}

std::string side_text(const char* who, const std::optional<sim::trace::DivergenceSide>& side) {
  std::ostringstream o;
  o << who << ": ";
  if (!side) {
    o << "had stopped";
    return o.str();
  }
  o << "token " << side->token;
  if (const auto& p = side->pass) {
    o << " from a " << p->kind << " pass at step " << p->step << " (" << p->form << ' ' << p->rows;
    if (p->form == "padded") {
      o << 'x' << p->tokens << " past " << p->past << ')';
    } else {
      o << " rows, " << p->tokens << " tokens)";
    }
  }
  o << ": " << (side->top2 ? gap_text(*side->top2) : std::string("no logits"));
  return o.str();
}

}  // namespace

void write_divergences(std::ostream& o, const StepView& view) {
  if (view.divergences.empty()) return;
  o << "divergence [label=<<TABLE BORDER=\"3\" COLOR=\"" << kDivergencePurple
    << "\" BGCOLOR=\"#efedf5\" CELLPADDING=\"4\" CELLBORDER=\"0\"><TR><TD ALIGN=\"LEFT\"><FONT "
       "COLOR=\""
    << kDivergencePurple
    << "\" POINT-SIZE=\"13\"><B>numerics divergence: every invariant holds, the output differs "
       "from batch-1 AR</B></FONT></TD></TR>";
  for (const auto& d : view.divergences) {
    o << "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\"><B>seq " << d.seq << ", output position "
      << d.position << " (index " << d.index << ")</B><BR ALIGN=\"LEFT\"/>"
      << html_escape(side_text("batched run", d.run)) << "<BR ALIGN=\"LEFT\"/>"
      << html_escape(side_text("batch-1 AR", d.ar)) << "<BR ALIGN=\"LEFT\"/></FONT></TD></TR>";
  }
  o << "</TABLE>>];\n";
}

}  // namespace lockstep::viz
