// GPT-2's byte-level alphabet: each of the 256 byte values written as one printable Unicode
// character (printable Latin-1 bytes stand for themselves, the others for U+0100 onwards), so
// a BPE vocabulary of strings covers every byte string. Only the mapping; no BPE here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::tokenizer {

// The UTF-8 encoding of the character that stands for `byte`.
const std::string& byte_to_symbol(std::uint8_t byte);

// The bytes a string of alphabet characters stands for; std::nullopt when the string holds
// a character outside the alphabet or is not valid UTF-8.
std::optional<std::string> symbols_to_bytes(std::string_view symbols);

}  // namespace lockstep::tokenizer
