// Token text for people: how a run's token ids read as text, for the run summary and the step
// pictures. A TokenText is a table id -> the bytes the token stands for (a model's tokenizer,
// the byte-level text of generated-weights models, or nothing: ids only), plus the function
// that turns bytes into one printable line (tokenizer/printable.h in the product: control
// characters escaped, a partial UTF-8 character shown as \xNN). Building one from a GGUF file
// or a scenario is cli/'s job (cli/token_text_source.h), so sim/, verify/ and viz/ take token
// text without depending on gguf/ or tokenizer/. Not a tokenizer: it never encodes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

class TokenText {
 public:
  // Bytes -> one printable line; must escape newlines and control characters and keep
  // '\\' escapes in the forms "\\x" + 2 hex digits or '\\' + one character (cut_line relies
  // on it to never split an escape).
  using Printer = std::string (*)(std::string_view bytes);

  // `source` names where the text comes from ("smollm2-135m tokenizer", "byte-level", ...);
  // ids at or past bytes_by_id.size() read as "⟨id⟩".
  TokenText(std::string source, std::vector<std::string> bytes_by_id, Printer printer);

  const std::string& source() const { return source_; }
  // The bytes token `id` stands for; "⟨id⟩" when the table does not know it.
  std::string bytes(Token id) const;
  // The bytes of `ids`, concatenated: a character split over two tokens is whole again.
  std::string decode(std::span<const Token> ids) const;
  // One token / a run of tokens as one printable line (not cut).
  std::string token(Token id) const { return printer_(bytes(id)); }
  std::string text(std::span<const Token> ids) const { return printer_(decode(ids)); }

 private:
  std::string source_;
  std::vector<std::string> bytes_by_id_;
  Printer printer_;
};

// A printable line (TokenText::text) cut to at most `columns` columns, "…" included: the start
// kept and "…" appended, or with cut_line_tail the end kept and "…" prepended. A character
// takes one column, an escape or an unknown-id mark as many as it has characters ("\\x0a": 4,
// "⟨300⟩": 5); none is ever split. `columns` must be at least 2.
std::string cut_line(std::string_view printable, std::size_t columns);
std::string cut_line_tail(std::string_view printable, std::size_t columns);

}  // namespace lockstep::sim
