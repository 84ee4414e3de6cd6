// The step picture's text: what each row of the verify pass reads as, given a text source
// (sim/token_text.h). One block, node "row_text", under the grid: per row the tail of its
// context (prompt and committed tokens), the drafted tokens, which of them were accepted and
// rejected, and the target's own token, each as quoted, escaped text. Tokens are decoded
// together, so a character split over two tokens reads whole. Also the short token text of a
// grid cell. Draws nothing else; dot_writer.h places the block on the page.
#pragma once

#include <ostream>
#include <string>

#include "sim/token_text.h"
#include "viz/step_view.h"

namespace lockstep::viz {

inline constexpr const char* kRowTextNode = "row_text";

// The text a grid cell shows under its position id: up to 5 columns of the token (cut_line;
// a 6th would not fit the fixed cell), spaces drawn as '␣' so a token's leading space shows; ""
// for cells that hold no sequence's token (empty, pad).
std::string cell_token_text(const Cell& cell, const sim::TokenText& text);

void write_row_text(std::ostream& o, const StepView& view, const sim::TokenText& text);

}  // namespace lockstep::viz
