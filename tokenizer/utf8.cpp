// UTF-8 encoding and strict decoding (see utf8.h).
#include "tokenizer/utf8.h"

#include <cstdint>

namespace lockstep::tokenizer {
namespace {

// Length of the character a lead byte starts (0: not a lead byte).
std::size_t sequence_length(std::uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The allowed range of the second byte, which alone rules out overlongs, surrogates and
// code points past U+10FFFF (RFC 3629's table).
bool second_byte_ok(std::uint8_t lead, std::uint8_t second) {
  std::uint8_t low = 0x80, high = 0xBF;
  if (lead == 0xE0) low = 0xA0;
  if (lead == 0xED) high = 0x9F;
  if (lead == 0xF0) low = 0x90;
  if (lead == 0xF4) high = 0x8F;
  return second >= low && second <= high;
}

bool is_continuation(std::uint8_t byte) {
  return (byte & 0xC0) == 0x80;
}

}  // namespace

std::string encode_utf8(char32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

std::optional<char32_t> next_code_point(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
  const std::size_t length = sequence_length(byte(at));
  if (length == 0 || at + length > text.size()) return std::nullopt;
  if (length == 1) return static_cast<char32_t>(byte(at++));
  if (!second_byte_ok(byte(at), byte(at + 1))) return std::nullopt;
  char32_t cp = byte(at) & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if (!is_continuation(byte(at + i))) return std::nullopt;
    cp = (cp << 6) | (byte(at + i) & 0x3F);
  }
  at += length;
  return cp;
}

std::size_t incomplete_tail(std::string_view bytes) {
  // A character is at most 4 bytes, so only the last 3 can start an unfinished one.
  const std::size_t n = bytes.size();
  for (std::size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto lead = static_cast<std::uint8_t>(bytes[n - back]);
    if (is_continuation(lead)) continue;
    const std::size_t length = sequence_length(lead);
    if (length <= back) return 0;  // ASCII, an invalid byte, or a finished character
    if (back >= 2 && !second_byte_ok(lead, static_cast<std::uint8_t>(bytes[n - back + 1])))
      return 0;  // can never become a valid character: pass the bytes on now
    return back;
  }
  return 0;
}

}  // namespace lockstep::tokenizer
