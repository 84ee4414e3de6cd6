// Pieces of the DOT HTML-like labels that the page's blocks share: text escaped for labels
// and their TITLE attributes (SVG tooltips), and the titled block every table sits in.
// html_escape escapes the XML characters, and ']' as "&#93;" (Graphviz 2.43 rejects a text that
// is "]" alone or ends in "]]"). Input is expected printable already (sim::TokenText::text
// escapes newlines and control characters and shows bytes that are not UTF-8 as \xNN), so what
// comes out is valid UTF-8 XML text; control characters that slip through are written as \xNN here
// too rather than break the label.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace lockstep::viz {

std::string html_escape(std::string_view text);

// A titled block is a cluster holding one table node `node`: the title is the cluster's label,
// so a title wider than the table cannot stretch the table's columns (Graphviz spreads spare
// width over the cells of a table, and of a table nested in a wider cell). block_open writes
// up to the table's opening tag; the caller writes the rows, then kBlockClose.
void block_open(std::ostream& o, const std::string& node, const std::string& title);
inline constexpr const char* kBlockClose = "</TABLE>>];\n}\n";

}  // namespace lockstep::viz
