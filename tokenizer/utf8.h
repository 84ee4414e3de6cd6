// The few UTF-8 facts the tokenizer needs: encode a code point, read one strictly (no
// overlongs, surrogates or values past U+10FFFF), and how long an unfinished character at
// the end of a byte string still is. Not a Unicode library: character classes come from PCRE2.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::tokenizer {

std::string encode_utf8(char32_t code_point);

// Reads the character at `at` and advances past it; std::nullopt (and `at` unchanged) when
// the bytes there are not one valid UTF-8 character.
std::optional<char32_t> next_code_point(std::string_view text, std::size_t& at);

// How many bytes at the end of `bytes` are the valid start of a character that needs more
// bytes (0..3): what a streaming decoder must hold back.
std::size_t incomplete_tail(std::string_view bytes);

}  // namespace lockstep::tokenizer
