// Shared pieces of DOT HTML-like labels (see dot_html.h).
#include "viz/dot_html.h"

#include <cstdio>

namespace lockstep::viz {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      // Graphviz 2.43's HTML-label lexer rejects text that is "]" alone or ends in "]]" (a
      // byte-level token "]" drawn in its own cell broke sampled runs' pictures); the numeric
      // reference reads the same and never reaches that lexer rule.
      case ']':
        out += "&#93;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
          char hex[8];
          std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
          out += hex;
        } else {
          out += c;
        }
    }
  }
  return out;
}

void block_open(std::ostream& o, const std::string& node, const std::string& title) {
  o << "subgraph cluster_" << node << " {\nlabel=<<B>" << html_escape(title)
    << "</B>>; labeljust=\"l\"; fontsize=13; penwidth=0;\n"
    << node << " [label=<<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"1\" CELLPADDING=\"0\">";
}

}  // namespace lockstep::viz
