// The "row_text" block and grid cells' token text (see dot_row_text.h).
#include "viz/dot_row_text.h"

#include <vector>

#include "viz/dot_html.h"

namespace lockstep::viz {
namespace {

constexpr std::size_t kContextColumns = 28;
constexpr std::size_t kDraftColumns = 40;
constexpr std::size_t kTokenColumns = 16;
constexpr std::size_t kCellColumns = 5;  // what fits a grid cell (dot_writer.cpp) at 6 points

bool holds_token(const Cell& c) {
  return c.kind != CellKind::empty && c.kind != CellKind::pad && c.kind != CellKind::stale &&
         c.tag.seq >= 0;
}

std::vector<sim::Token> tokens_of(const GridRow& g, std::initializer_list<CellKind> kinds) {
  std::vector<sim::Token> out;
  for (const auto& c : g.cells) {
    if (!holds_token(c)) continue;
    for (CellKind k : kinds) {
      if (c.kind == k) out.push_back(c.token);
    }
  }
  return out;
}

// One table cell of quoted text (or a dash when there are no tokens), filled with `kind`'s
// colour so the row reads like the grid above it.
void text_cell(std::ostream& o, const std::string& printable, bool any, CellKind kind,
               const std::string& tooltip) {
  o << "<TD ALIGN=\"LEFT\" CELLPADDING=\"3\" COLOR=\"#bbbbbb\" BGCOLOR=\""
    << (any ? kind_color(kind) : "#ffffff") << "\" TITLE=\"" << html_escape(tooltip)
    << "\" HREF=\"#\"><FONT POINT-SIZE=\"9\">" << (any ? html_escape("\"" + printable + "\"") : "—")
    << "</FONT></TD>";
}

void header_cell(std::ostream& o, const std::string& text) {
  o << "<TD BORDER=\"0\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"8\" COLOR=\"#555555\">" << text
    << "</FONT></TD>";
}

void write_row(std::ostream& o, const GridRow& g, const sim::TokenText& text) {
  const auto context = tokens_of(g, {CellKind::prompt, CellKind::committed});
  const auto drafted = tokens_of(g, {CellKind::accepted, CellKind::rejected});
  const auto accepted = tokens_of(g, {CellKind::accepted});
  const auto rejected = tokens_of(g, {CellKind::rejected});
  std::vector<sim::Token> bonus;
  if (g.bonus.kind == CellKind::bonus) bonus.push_back(g.bonus.token);
  o << "<TR><TD BORDER=\"0\" ALIGN=\"RIGHT\"><FONT POINT-SIZE=\"9\">row " << g.cache_row
    << " · seq " << g.seq << "</FONT></TD>";
  text_cell(o, sim::cut_line_tail(text.text(context), kContextColumns), !context.empty(),
            CellKind::committed, "the row's prompt and committed text");
  text_cell(o, sim::cut_line(text.text(drafted), kDraftColumns), !drafted.empty(), CellKind::empty,
            std::to_string(drafted.size()) + " drafted tokens");
  text_cell(o, sim::cut_line(text.text(accepted), kDraftColumns), !accepted.empty(),
            CellKind::accepted, std::to_string(accepted.size()) + " accepted");
  text_cell(o, sim::cut_line(text.text(rejected), kDraftColumns), !rejected.empty(),
            CellKind::rejected, std::to_string(rejected.size()) + " rejected");
  text_cell(o, sim::cut_line(text.text(bonus), kTokenColumns), !bonus.empty(), CellKind::bonus,
            "the target's own token after the accepted drafts");
  o << "</TR>";
}

}  // namespace

std::string cell_token_text(const Cell& cell, const sim::TokenText& text) {
  if (!holds_token(cell)) return "";
  std::string shown;
  for (char c : sim::cut_line(text.token(cell.token), kCellColumns)) {
    if (c == ' ') {
      shown += "␣";
    } else {
      shown += c;
    }
  }
  return shown;
}

void write_row_text(std::ostream& o, const StepView& view, const sim::TokenText& text) {
  block_open(o, kRowTextNode, "the rows as text (" + text.source() + ")");
  o << "<TR><TD BORDER=\"0\"></TD>";
  header_cell(o, "context (its end)");
  header_cell(o, "drafted");
  header_cell(o, "accepted");
  header_cell(o, "rejected");
  header_cell(o, "target's token");
  o << "</TR>";
  for (const auto& g : view.grid) write_row(o, g, text);
  o << kBlockClose;
}

}  // namespace lockstep::viz
