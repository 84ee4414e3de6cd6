// GPT-2's bytes_to_unicode table, built once (see byte_alphabet.h).
#include "tokenizer/byte_alphabet.h"

#include <array>

#include "tokenizer/utf8.h"

namespace lockstep::tokenizer {
namespace {

// Code point of the character for each byte: the bytes '!'..'~', 0xA1..0xAC and 0xAE..0xFF
// are printable and stand for themselves; the other 68 take U+0100, U+0101, ... in byte order.
constexpr std::array<char32_t, 256> make_code_points() {
  std::array<char32_t, 256> points{};
  char32_t next = 0x100;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    points[b] = printable ? static_cast<char32_t>(b) : next++;
  }
  return points;
}
constexpr std::array<char32_t, 256> kCodePoints = make_code_points();
constexpr char32_t kLastCodePoint = 0x100 + 68;  // one past the highest remapped code point

struct Tables {
  std::array<std::string, 256> symbols;
  std::array<std::int16_t, kLastCodePoint> byte_of;  // code point -> byte, -1 if none
  Tables() {
    byte_of.fill(-1);
    for (int b = 0; b < 256; ++b) {
      symbols[b] = encode_utf8(kCodePoints[b]);
      byte_of[kCodePoints[b]] = static_cast<std::int16_t>(b);
    }
  }
};

const Tables& tables() {
  static const Tables instance;
  return instance;
}

}  // namespace

const std::string& byte_to_symbol(std::uint8_t byte) {
  return tables().symbols[byte];
}

std::optional<std::string> symbols_to_bytes(std::string_view symbols) {
  const Tables& t = tables();
  std::string bytes;
  bytes.reserve(symbols.size());
  std::size_t at = 0;
  while (at < symbols.size()) {
    const std::optional<char32_t> point = next_code_point(symbols, at);
    if (!point || *point >= kLastCodePoint || t.byte_of[*point] < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(t.byte_of[*point]));
  }
  return bytes;
}

}  // namespace lockstep::tokenizer
