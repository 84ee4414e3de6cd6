// Token ids -> bytes -> one printable line (see token_text.h).
#include "sim/token_text.h"

#include <algorithm>
#include <utility>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

constexpr const char* kEllipsis = "…";

constexpr std::string_view kOpenMark = "⟨", kCloseMark = "⟩";

// Byte length of the display unit starting at `at`: a whole escape ("\\n", "\\x0a"), a whole
// unknown-id mark ("⟨300⟩") or a whole UTF-8 character, so a cut never leaves half of one.
std::size_t unit_length(std::string_view s, std::size_t at) {
  if (s.substr(at, kOpenMark.size()) == kOpenMark) {
    const auto close = s.find(kCloseMark, at);
    if (close != std::string_view::npos) return close + kCloseMark.size() - at;
  }
  const auto lead = static_cast<unsigned char>(s[at]);
  std::size_t n = 1;
  if (lead == '\\') {
    n = at + 1 < s.size() && s[at + 1] == 'x' ? 4 : 2;
  } else if (lead >= 0xF0) {
    n = 4;
  } else if (lead >= 0xE0) {
    n = 3;
  } else if (lead >= 0xC0) {
    n = 2;
  }
  return std::min(n, s.size() - at);
}

// Start offsets of the display characters of `s`.
std::vector<std::size_t> unit_starts(std::string_view s) {
  std::vector<std::size_t> starts;
  for (std::size_t at = 0; at < s.size(); at += unit_length(s, at)) starts.push_back(at);
  return starts;
}

// Columns a display unit takes: an escape or a mark its characters, any other character one.
std::size_t unit_width(std::string_view s, std::size_t at) {
  if (s[at] == '\\') return unit_length(s, at);
  if (s.substr(at, kOpenMark.size()) == kOpenMark) {
    // The marks are one column each; the digits between them one each.
    return unit_length(s, at) - kOpenMark.size() - kCloseMark.size() + 2;
  }
  return 1;
}

// Columns of the whole line.
std::size_t width(std::string_view s, const std::vector<std::size_t>& starts) {
  std::size_t w = 0;
  for (std::size_t at : starts) w += unit_width(s, at);
  return w;
}

void require_columns(std::size_t columns) {
  if (columns < 2)
    throw ContractError("cut_line: columns must be at least 2, got " + std::to_string(columns));
}

}  // namespace

TokenText::TokenText(std::string source, std::vector<std::string> bytes_by_id, Printer printer)
    : source_(std::move(source)), bytes_by_id_(std::move(bytes_by_id)), printer_(printer) {
  if (printer_ == nullptr) throw ContractError("TokenText '" + source_ + "' needs a printer");
}

std::string TokenText::bytes(Token id) const {
  if (id >= 0 && static_cast<std::size_t>(id) < bytes_by_id_.size())
    return bytes_by_id_[static_cast<std::size_t>(id)];
  return std::string(kOpenMark) + std::to_string(id) + std::string(kCloseMark);
}

std::string TokenText::decode(std::span<const Token> ids) const {
  std::string out;
  for (Token id : ids) out += bytes(id);
  return out;
}

std::string cut_line(std::string_view printable, std::size_t columns) {
  require_columns(columns);
  const auto starts = unit_starts(printable);
  if (width(printable, starts) <= columns) return std::string(printable);
  std::size_t used = 0, kept = 0;
  while (kept < starts.size() && used + unit_width(printable, starts[kept]) <= columns - 1)
    used += unit_width(printable, starts[kept++]);
  const std::size_t end = kept < starts.size() ? starts[kept] : printable.size();
  return std::string(printable.substr(0, end)) + kEllipsis;
}

std::string cut_line_tail(std::string_view printable, std::size_t columns) {
  require_columns(columns);
  const auto starts = unit_starts(printable);
  if (width(printable, starts) <= columns) return std::string(printable);
  std::size_t used = 0, first = starts.size();
  while (first > 0 && used + unit_width(printable, starts[first - 1]) <= columns - 1)
    used += unit_width(printable, starts[--first]);
  const std::size_t begin = first < starts.size() ? starts[first] : printable.size();
  return kEllipsis + std::string(printable.substr(begin));
}

}  // namespace lockstep::sim
