// Writes one step's picture as DOT. Layout choices (why): one vertical column of HTML
// tables read top to bottom in the order things happen (verify pass, KV before the
// realignment, KV after it); fixed-size cells with a slot ruler every fifth column so
// 60 slots x 8 rows stay legible and slot s is easy to find in every table; move arrows go
// from the KV map before realignment to the map after it, from the first slot read to the
// first slot written, so a shift reads as a slanted arrow.
#include "viz/dot_writer.h"

#include <sstream>

#include "sim/strategy.h"
#include "viz/dot_divergence.h"
#include "viz/dot_html.h"
#include "viz/dot_row_text.h"
#include "viz/dot_sampling.h"

namespace lockstep::viz {
namespace {

constexpr int kCellWidth = 24;
constexpr int kCellHeight = 18;
// Grid cells with token text: position id and up to 5 characters of text, one line each.
constexpr int kTextCellWidth = 32;
constexpr int kTextCellHeight = 24;
constexpr const char* kViolationRed = "#d62728";

const char* invariant_explanation(const std::string& name) {
  if (name == "I1")
    return "I1 positions: every fed token's position id must equal its logical index";
  if (name == "I2")
    return "I2 visibility: every query must see exactly its own sequence's tokens 0..j, in order "
           "(no pad, no other row, no stale or rejected entry)";
  if (name == "I3")
    return "I3 provenance: after each step each sequence's KV slots must hold its committed "
           "prefix, contiguous and in order, in the target and the draft cache";
  if (name == "I4")
    return "I4 length sync: the KV length must equal committed - 1 and rows must end at the "
           "layout's width";
  if (name == "I5") return "I5 equivalence: every committed token must equal batch-1 AR's";
  return "unknown invariant";
}

std::string tooltip(const Cell& c, const sim::TokenText* text) {
  std::ostringstream o;
  o << kind_name(c.kind);
  if (c.kind != CellKind::empty) {
    if (c.tag.seq >= 0) o << " seq " << c.tag.seq << " index " << c.tag.index;
    o << " token " << c.token << " position " << c.position;
    // printable() escapes '"', so the quotes delimit the token's text.
    if (text != nullptr && c.tag.seq >= 0) o << " text \"" << text->token(c.token) << '"';
  }
  return o.str();
}

// One <TD>. `label` is what the cell shows; with a text source a grid cell also shows its
// token's text on a second line (taller cells, so every row keeps one height); `port` names
// the cell for arrows.
void cell(std::ostream& o, const Cell& c, const std::string& label, const sim::TokenText* text,
          bool token_line = false, const std::string& port = "") {
  token_line = token_line && text != nullptr;
  o << "<TD WIDTH=\"" << (token_line ? kTextCellWidth : kCellWidth) << "\" HEIGHT=\""
    << (token_line ? kTextCellHeight : kCellHeight) << "\" FIXEDSIZE=\"TRUE\""
    << " BGCOLOR=\"" << kind_color(c.kind) << "\" TITLE=\"" << html_escape(tooltip(c, text))
    << "\"";
  // Graphviz writes a cell's TITLE into the SVG only for a cell with an HREF; with a text
  // source the tooltip is what the reader hovers for, so the cell links to nowhere ("#").
  if (text != nullptr) o << " HREF=\"#\"";
  if (!port.empty()) o << " PORT=\"" << port << "\"";
  if (c.violation) {
    o << " COLOR=\"" << kViolationRed << "\" BORDER=\"3\"";
  } else if (c.divergence) {
    o << " COLOR=\"" << kDivergencePurple << "\" BORDER=\"3\"";
  } else if (c.kind == CellKind::bonus) {
    o << " COLOR=\"#7f6000\" BORDER=\"2\"";
  } else {
    o << " COLOR=\"#9e9e9e\"";
  }
  o << ">";
  const bool grey = c.kind == CellKind::pad || c.kind == CellKind::stale;
  // Graphviz rejects an empty <FONT> element, so empty cells have none.
  if (!label.empty()) {
    o << "<FONT POINT-SIZE=\"" << (label.size() > 4 || token_line ? 6 : 8) << "\""
      << (grey ? " COLOR=\"#9a9a9a\"" : "") << ">" << html_escape(label) << "</FONT>";
  }
  const std::string token = token_line ? cell_token_text(c, *text) : "";
  if (!token.empty()) {
    if (!label.empty()) o << "<BR/>";
    o << "<FONT POINT-SIZE=\"6\">" << html_escape(token) << "</FONT>";
  }
  o << "</TD>";
}

void label_cell(std::ostream& o, const std::string& text, int width = 64) {
  o << "<TD WIDTH=\"" << width << "\" ALIGN=\"RIGHT\" BORDER=\"0\"><FONT POINT-SIZE=\"9\">"
    << html_escape(text) << "</FONT></TD>";
}

// Slot numbers every fifth column, so a reader can find slot 37 without counting.
void slot_ruler(std::ostream& o, int columns, int label_width, int trailing = 0,
                int cell_width = kCellWidth) {
  o << "<TR><TD BORDER=\"0\" WIDTH=\"" << label_width
    << "\"><FONT POINT-SIZE=\"7\" COLOR=\"#777777\">slot</FONT></TD>";
  for (int c = 0; c < columns; ++c) {
    o << "<TD BORDER=\"0\" FIXEDSIZE=\"TRUE\" WIDTH=\"" << cell_width << "\" HEIGHT=\"10\">";
    if (c % 5 == 0) o << "<FONT POINT-SIZE=\"7\" COLOR=\"#777777\">" << c << "</FONT>";
    o << "</TD>";
  }
  for (int t = 0; t < trailing; ++t) o << "<TD BORDER=\"0\"></TD>";
  o << "</TR>";
}

void write_title(std::ostream& o, const StepView& v) {
  std::ostringstream acc, committed;
  for (const auto& g : v.grid) {
    acc << ' ' << g.accepted;
    committed << ' ' << g.committed;
  }
  o << "title [label=<<TABLE BORDER=\"0\" CELLPADDING=\"2\">"
    << "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"16\"><B>step " << v.step << " of " << v.last_step
    << "</B></FONT>   <FONT POINT-SIZE=\"12\">" << html_escape(v.run.scenario) << " · strategy "
    << html_escape(v.run.strategy) << " · batch " << v.run.batch_size
    << (sim::strategy_is(v.run.strategy, sim::decodes_without_drafts)
            ? std::string(" · no drafts")
            : " · k " + std::to_string(v.run.k))
    << "</FONT></TD></TR>";
  if (v.has_round) {
    o << "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"11\">accepted per row:" << acc.str()
      << "    committed per row:" << committed.str() << "</FONT></TD></TR>";
  }
  o << "<TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"11\">realignment: " << v.realign_moves
    << " moves, " << v.realign_bytes << " KV bytes";
  if (v.violations_here > 0)
    o << "    <FONT COLOR=\"" << kViolationRed << "\">" << v.violations_here
      << " violation(s) recorded at this step</FONT>";
  o << "</FONT></TD></TR></TABLE>>];\n";
}

// `divergence`: the trace records a numerics divergence, so the legend explains its mark.
// `sampling`: the legend's lines on the sampling block's numbers, "" when it has none.
void write_legend(std::ostream& o, bool with_text, bool divergence, const std::string& sampling) {
  o << "legend [label=<<TABLE BORDER=\"1\" COLOR=\"#bbbbbb\" CELLBORDER=\"0\" CELLSPACING=\"2\" "
       "CELLPADDING=\"2\"><TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT "
       "POINT-SIZE=\"10\"><B>legend</B></FONT></TD></TR>";
  for (CellKind k : {CellKind::pad, CellKind::prompt, CellKind::committed, CellKind::accepted,
                     CellKind::rejected, CellKind::bonus, CellKind::stale}) {
    o << "<TR><TD WIDTH=\"18\" HEIGHT=\"12\" FIXEDSIZE=\"TRUE\" BORDER=\"1\" COLOR=\"#9e9e9e\" "
         "BGCOLOR=\""
      << kind_color(k) << "\"></TD><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">" << kind_label(k)
      << "</FONT></TD></TR>";
  }
  o << "<TR><TD WIDTH=\"18\" HEIGHT=\"12\" FIXEDSIZE=\"TRUE\" BORDER=\"2\" COLOR=\""
    << kViolationRed
    << "\"></TD><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">violated invariant</FONT></TD></TR>";
  if (divergence) {
    o << "<TR><TD WIDTH=\"18\" HEIGHT=\"12\" FIXEDSIZE=\"TRUE\" BORDER=\"2\" COLOR=\""
      << kDivergencePurple << "\"></TD><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"9\">"
      << kDivergenceLabel << "<BR ALIGN=\"LEFT\"/>(numerics, no violation)</FONT></TD></TR>";
  }
  o  // Short lines: a wide row here would stretch the swatch column.
      << "<TR><TD COLSPAN=\"2\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"8\">"
      << (with_text
              ? "grid cell: position id and<BR ALIGN=\"LEFT\"/>its token's text (␣: space)<BR "
                "ALIGN=\"LEFT\"/>"
              : "grid cell: its position id<BR ALIGN=\"LEFT\"/>")
      << "KV cell: seq:index it holds<BR ALIGN=\"LEFT\"/>"
         "arrow: a KV move, from the<BR ALIGN=\"LEFT\"/>"
         "first slot read to the first<BR ALIGN=\"LEFT\"/>"
         "slot written, with its bytes<BR ALIGN=\"LEFT\"/>"
      << sampling << "</FONT></TD></TR></TABLE>>];\n";
}

void write_grid(std::ostream& o, const StepView& v, const sim::TokenText* text) {
  block_open(o, "grid",
             "batch grid: the target's verify pass (" + v.form + ", " +
                 std::to_string(v.grid.size()) + (v.grid.size() == 1 ? " row x " : " rows x ") +
                 std::to_string(v.grid_columns) + " columns), cell = position id" +
                 (text != nullptr ? " and token text" : ""));
  const int cell_width = text != nullptr ? kTextCellWidth : kCellWidth;
  slot_ruler(o, v.grid_columns, 64, 2, cell_width);
  for (const auto& g : v.grid) {
    o << "<TR>";
    label_cell(o, "row " + std::to_string(g.cache_row) + " · seq " + std::to_string(g.seq));
    for (const auto& c : g.cells)
      cell(o, c, c.kind == CellKind::empty || c.position < 0 ? "" : std::to_string(c.position),
           text, true);
    o << "<TD BORDER=\"0\" WIDTH=\"8\"></TD>";
    if (g.bonus.kind == CellKind::bonus) {
      cell(o, g.bonus, std::to_string(g.bonus.position), text, true);
    } else {
      o << "<TD BORDER=\"0\" WIDTH=\"" << cell_width << "\"></TD>";
    }
    o << "<TD BORDER=\"0\" ALIGN=\"LEFT\"><FONT POINT-SIZE=\"8\"> a=" << g.accepted << " +"
      << g.committed << (g.finished ? " done" : "") << "</FONT></TD></TR>";
  }
  o << kBlockClose;
}

void write_pool(std::ostream& o, const StepView& v) {
  if (v.pool.empty()) return;
  int chosen = 0;
  for (const auto& e : v.pool) chosen += e.chosen ? 1 : 0;
  block_open(o, "pool",
             "EXSPEC pool of " + std::to_string(v.pool.size()) + ": " +
                 (v.grouped ? "a group of " + std::to_string(chosen) +
                                  " same-length rows served, no padding"
                            : "fallback: " + std::to_string(chosen) + " rows right-aligned"));
  for (int line = 0; line < 3; ++line) {
    o << "<TR>";
    label_cell(o, line == 0 ? "pool row" : line == 1 ? "seq" : "KV length", 64);
    for (const auto& e : v.pool) {
      const std::string text = line == 0   ? std::to_string(e.row)
                               : line == 1 ? (e.seq < 0 ? "free" : std::to_string(e.seq))
                                           : std::to_string(e.kv_length);
      o << "<TD WIDTH=\"34\" HEIGHT=\"16\" BGCOLOR=\"" << (e.chosen ? "#a1d99b" : "#f2f2f2")
        << "\" COLOR=\"" << (e.chosen ? "#238b45" : "#bbbbbb") << "\" BORDER=\""
        << (e.chosen ? 2 : 1) << "\" TITLE=\"pool row " << e.row << (e.chosen ? " chosen" : "")
        << "\"><FONT POINT-SIZE=\"8\">" << text << "</FONT></TD>";
    }
    o << "</TR>";
  }
  o << kBlockClose;
}

std::string kv_text(const Cell& c) {
  if (c.kind == CellKind::empty) return "";
  if (c.tag.seq < 0) return "pad";
  return std::to_string(c.tag.seq) + ":" + std::to_string(c.tag.index);
}

void write_kv(std::ostream& o, const CacheView& c, const KvMap& map, const std::string& node,
              const std::string& title, const sim::TokenText* text) {
  block_open(o, node, title);
  slot_ruler(o, c.columns, 64);
  for (std::size_t r = 0; r < map.rows.size(); ++r) {
    o << "<TR>";
    label_cell(o, "row " + std::to_string(r));
    for (int s = 0; s < c.columns; ++s) {
      const Cell& x = map.rows[r][static_cast<std::size_t>(s)];
      cell(o, x, kv_text(x), text, false, "r" + std::to_string(r) + "s" + std::to_string(s));
    }
    o << "</TR>";
  }
  o << kBlockClose;
}

std::int64_t plan_bytes(const CacheView& c) {
  std::int64_t bytes = 0;
  for (const auto& m : c.moves) bytes += m.bytes;
  return bytes;
}

// Returns the last node written, to chain the vertical order.
std::string write_cache(std::ostream& o, const CacheView& c, std::string previous,
                        const sim::TokenText* text) {
  const std::string before = "kv_" + c.model + "_before";
  const std::string after = "kv_" + c.model + "_after";
  const std::string what = c.model + " KV (cache " + std::to_string(c.cache) + ", " +
                           std::to_string(c.bytes_per_slot) + " B per slot)";
  if (!c.moves.empty()) {
    std::size_t n = 0;
    for (const auto& m : c.moves) n += m.moves.size();
    write_kv(o, c, c.before, before, what + " after the verify pass, before realignment", text);
    write_kv(o, c, c.after, after,
             what + " at the end of the step: " + std::to_string(n) + " moves, " +
                 std::to_string(plan_bytes(c)) + " bytes",
             text);
    o << previous << " -> " << before << " [style=invis];\n";
    o << before << " -> " << after << " [style=invis, weight=10];\n";
    for (const auto& plan : c.moves) {
      for (const auto& m : plan.moves) {
        o << before << ":\"r" << m.src_row << "s" << m.src_slot << "\":s -> " << after << ":\"r"
          << m.dst_row << "s" << m.dst_slot << "\":n [color=\"#08519c\", penwidth=1.4, "
          << "arrowsize=0.7, constraint=false, label=<<FONT POINT-SIZE=\"8\" COLOR=\"#08519c\">"
          << static_cast<std::int64_t>(m.length) * c.bytes_per_slot << " B</FONT>>];\n";
      }
    }
    return after;
  }
  write_kv(o, c, c.after, after, what + " at the end of the step (no moves)", text);
  o << previous << " -> " << after << " [style=invis];\n";
  return after;
}

void write_violation(std::ostream& o, const StepView& v) {
  const ViolationRecord& x = *v.violation;
  o << "violation [label=<<TABLE BORDER=\"3\" COLOR=\"" << kViolationRed
    << "\" BGCOLOR=\"#fde0dd\" CELLPADDING=\"4\" CELLBORDER=\"0\"><TR><TD ALIGN=\"LEFT\"><FONT "
       "COLOR=\""
    << kViolationRed << "\" POINT-SIZE=\"13\"><B>first violation: " << html_escape(x.invariant)
    << " at step " << x.step << ", row " << x.row << ", slot " << x.slot
    << "</B></FONT></TD></TR><TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\">"
    << html_escape(invariant_explanation(x.invariant))
    << "</FONT></TD></TR><TR><TD ALIGN=\"LEFT\"><FONT POINT-SIZE=\"10\">" << html_escape(x.detail)
    << "</FONT></TD></TR></TABLE>>];\n";
}

}  // namespace

std::string step_dot(const StepView& v, const sim::TokenText* text) {
  std::ostringstream o;
  o << "digraph step_" << v.step << " {\n"
    << "graph [rankdir=TB, nodesep=0.4, ranksep=0.45, pad=0.25, bgcolor=\"white\", "
       "fontname=\"Helvetica\"];\n"
    << "node [shape=plaintext, fontname=\"Helvetica\", margin=0];\n"
    << "edge [fontname=\"Helvetica\"];\n";
  write_title(o, v);
  write_legend(o, text != nullptr, v.trace_has_divergences,
               has_sampling(v) ? sampling_legend(v) : std::string());
  o << "{ rank=same; title; legend; }\n";
  std::string previous = "title";
  if (v.violation) {
    write_violation(o, v);
    o << previous << " -> violation [style=invis];\n";
    previous = "violation";
  }
  if (!v.divergences.empty()) {
    write_divergences(o, v);
    o << previous << " -> divergence [style=invis];\n";
    previous = "divergence";
  }
  if (v.has_round) {
    write_grid(o, v, text);
    o << previous << " -> grid [style=invis];\n";
    previous = "grid";
    if (has_sampling(v)) {
      write_sampling(o, v, text);
      o << previous << " -> " << kSamplingNode << " [style=invis];\n";
      previous = kSamplingNode;
    }
    if (text != nullptr) {
      write_row_text(o, v, *text);
      o << previous << " -> " << kRowTextNode << " [style=invis];\n";
      previous = kRowTextNode;
    }
  }
  if (!v.pool.empty()) {
    write_pool(o, v);
    o << previous << " -> pool [style=invis];\n";
    previous = "pool";
  }
  for (const auto& c : v.caches) previous = write_cache(o, c, previous, text);
  o << "}\n";
  return o.str();
}

}  // namespace lockstep::viz
