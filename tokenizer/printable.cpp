// Display form of token bytes (see printable.h).
#include "tokenizer/printable.h"

#include <optional>

#include <fmt/core.h>

#include "tokenizer/utf8.h"

namespace lockstep::tokenizer {

std::string printable(std::string_view bytes) {
  std::string out;
  std::size_t at = 0;
  while (at < bytes.size()) {
    const std::size_t start = at;
    const std::optional<char32_t> cp = next_code_point(bytes, at);
    if (!cp) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(bytes[at++]));
    } else if (*cp == '\n') {
      out += "\\n";
    } else if (*cp == '\t') {
      out += "\\t";
    } else if (*cp == '\\' || *cp == '"') {
      out += '\\';
      out += static_cast<char>(*cp);
    } else if (*cp < 0x20 || *cp == 0x7F) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(*cp));
    } else {
      out.append(bytes.substr(start, at - start));
    }
  }
  return out;
}

}  // namespace lockstep::tokenizer
