// Token text for people: a token's bytes (Tokenizer::bytes) as one readable line, for tables,
// run summaries and picture tooltips. Valid UTF-8 is kept as is; newlines, tabs and other
// control characters, '\\' and '"' are escaped C-style, and bytes that are not (yet) UTF-8 (a
// token that ends in the middle of a character) are shown as \xNN. Not reversible for text
// that itself contains "\x": for exact bytes use the ids.
#pragma once

#include <string>
#include <string_view>

namespace lockstep::tokenizer {

std::string printable(std::string_view bytes);

}  // namespace lockstep::tokenizer
