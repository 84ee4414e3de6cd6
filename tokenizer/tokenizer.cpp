// Byte-level BPE (see tokenizer.h): vocabulary checks, special-token cutting, merging by rank
// and decoding.
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <limits>

#include <fmt/core.h>

#include "sim/error.h"
#include "tokenizer/byte_alphabet.h"
#include "tokenizer/pretokenizer.h"

namespace lockstep::tokenizer {
namespace {

TokenKind checked_kind(std::int32_t value, std::size_t id) {
  if (value < static_cast<std::int32_t>(TokenKind::normal) ||
      value > static_cast<std::int32_t>(TokenKind::unused)) {
    throw InputError("tokenizer.ggml.token_type[" + std::to_string(id) +
                     "] = " + std::to_string(value) + " is not a byte-level BPE token type (1..5)");
  }
  return static_cast<TokenKind>(value);
}

void check_special_id(const std::optional<TokenId>& id, const char* field, std::size_t size) {
  if (id && (*id < 0 || static_cast<std::size_t>(*id) >= size)) {
    throw InputError(std::string(field) + " = " + std::to_string(*id) +
                     " is outside the vocabulary of " + std::to_string(size) + " tokens");
  }
}

// HF's tokenizers would drop such a byte and llama.cpp would fail on it; lockstep says so.
[[noreturn]] void throw_unencodable_byte(std::string_view word, char byte) {
  throw InputError(
      fmt::format("the text holds byte 0x{:02x} (in \"{}\"), which has no token in the vocabulary",
                  static_cast<unsigned char>(byte), word.substr(0, 40)));
}

}  // namespace

Tokenizer::Tokenizer(Vocabulary vocabulary) : vocabulary_(std::move(vocabulary)) {
  if (vocabulary_.model != "gpt2") {
    throw InputError("tokenizer.ggml.model is '" + vocabulary_.model +
                     "'; only byte-level BPE ('gpt2') is supported");
  }
  pretokenizer_ = std::make_shared<const Pretokenizer>(pretokenizer_regexes(vocabulary_.pre));
  index_tokens();
  index_merges();
  const std::size_t n = vocabulary_.tokens.size();
  check_special_id(vocabulary_.bos, "tokenizer.ggml.bos_token_id", n);
  check_special_id(vocabulary_.eos, "tokenizer.ggml.eos_token_id", n);
  check_special_id(vocabulary_.pad, "tokenizer.ggml.padding_token_id", n);
  check_special_id(vocabulary_.unknown, "tokenizer.ggml.unknown_token_id", n);
}

void Tokenizer::index_tokens() {
  const auto& tokens = vocabulary_.tokens;
  const auto& types = vocabulary_.token_types;
  if (tokens.empty() ||
      tokens.size() > static_cast<std::size_t>(std::numeric_limits<TokenId>::max()))
    throw InputError("tokenizer.ggml.tokens has " + std::to_string(tokens.size()) + " entries");
  if (!types.empty() && types.size() != tokens.size()) {
    throw InputError("tokenizer.ggml.token_type has " + std::to_string(types.size()) +
                     " entries but tokenizer.ggml.tokens has " + std::to_string(tokens.size()));
  }
  for (std::size_t id = 0; id < tokens.size(); ++id) {
    const TokenKind kind = types.empty() ? TokenKind::normal : checked_kind(types[id], id);
    kinds_.push_back(kind);
    if (kind == TokenKind::control || kind == TokenKind::user_defined) {
      if (tokens[id].empty()) throw InputError("special token " + std::to_string(id) + " is empty");
      (kind == TokenKind::control ? control_specials_ : always_specials_)
          .push_back(static_cast<TokenId>(id));
      bytes_.push_back(tokens[id]);  // specials stand for their own text
    } else {
      std::optional<std::string> decoded = symbols_to_bytes(tokens[id]);
      if (!decoded || decoded->empty()) {
        throw InputError("tokenizer.ggml.tokens[" + std::to_string(id) + "] = '" + tokens[id] +
                         "' is not a string of the byte-level alphabet");
      }
      bytes_.push_back(std::move(*decoded));
    }
    if (!index_.emplace(tokens[id], static_cast<TokenId>(id)).second) {
      throw InputError("tokenizer.ggml.tokens[" + std::to_string(id) + "] = '" + tokens[id] +
                       "' repeats token " + std::to_string(index_.at(tokens[id])));
    }
  }
  // A vocabulary may lack some bytes (SmolLM2's has no token for 21 bytes that never occur
  // in its training text, such as 0x04 and 0xFF); encoding text with one is an error.
  for (int b = 0; b < 256; ++b) {
    const auto found = index_.find(byte_to_symbol(static_cast<std::uint8_t>(b)));
    byte_token_[b] = found == index_.end() ? -1 : found->second;
  }
}

void Tokenizer::index_merges() {
  const auto& merges = vocabulary_.merges;
  for (std::size_t rank = 0; rank < merges.size(); ++rank) {
    const std::string& merge = merges[rank];
    const auto bad = [&](const std::string& why) {
      throw InputError("tokenizer.ggml.merges[" + std::to_string(rank) + "] = '" + merge +
                       "': " + why);
    };
    const std::size_t space = merge.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == merge.size() ||
        merge.find(' ', space + 1) != std::string::npos)
      bad("expected two tokens separated by one space");
    const std::string left = merge.substr(0, space), right = merge.substr(space + 1);
    const auto l = index_.find(left), r = index_.find(right), joined = index_.find(left + right);
    if (l == index_.end()) bad("'" + left + "' is not in the vocabulary");
    if (r == index_.end()) bad("'" + right + "' is not in the vocabulary");
    if (joined == index_.end()) bad("'" + left + right + "' is not in the vocabulary");
    // A repeated pair keeps its first (best) rank, as in HF's BPE.
    merges_.emplace(pair_key(l->second, r->second),
                    Merge{static_cast<std::int32_t>(rank), joined->second});
  }
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, Specials specials) const {
  std::vector<TokenId> candidates = always_specials_;
  if (specials == Specials::parse)
    candidates.insert(candidates.end(), control_specials_.begin(), control_specials_.end());
  // Each candidate's next occurrence at or after `done`, searched again only once passed,
  // so a text full of specials costs O(text x candidates), not a search per special found.
  std::vector<std::size_t> next_at(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i)
    next_at[i] = text.find(vocabulary_.tokens[candidates[i]]);
  std::vector<TokenId> out;
  std::size_t done = 0;
  while (true) {
    // The leftmost special, the longest one where several start there.
    std::size_t best = candidates.size();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (next_at[i] == std::string_view::npos) continue;
      if (best == candidates.size() || next_at[i] < next_at[best] ||
          (next_at[i] == next_at[best] &&
           piece(candidates[i]).size() > piece(candidates[best]).size()))
        best = i;
    }
    if (best == candidates.size()) break;
    append_text(text.substr(done, next_at[best] - done), out);
    out.push_back(candidates[best]);
    done = next_at[best] + piece(candidates[best]).size();
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (next_at[i] != std::string_view::npos && next_at[i] < done)
        next_at[i] = text.find(vocabulary_.tokens[candidates[i]], done);
    }
  }
  append_text(text.substr(done), out);
  return out;
}

void Tokenizer::append_text(std::string_view text, std::vector<TokenId>& out) const {
  if (text.empty()) return;
  for (std::string_view word : pretokenizer_->split(text)) append_word(word, out);
}

void Tokenizer::append_word(std::string_view word, std::vector<TokenId>& out) const {
  std::vector<TokenId> symbols;
  symbols.reserve(word.size());
  for (char c : word) {
    const TokenId id = byte_token_[static_cast<std::uint8_t>(c)];
    if (id < 0) throw_unencodable_byte(word, c);
    symbols.push_back(id);
  }
  apply_merges(merges_, symbols);
  out.insert(out.end(), symbols.begin(), symbols.end());
}

std::string Tokenizer::decode(std::span<const TokenId> ids) const {
  std::string text;
  for (TokenId id : ids) text += bytes(id);
  return text;
}

void Tokenizer::check_id(TokenId id) const {
  if (id < 0 || id >= size()) {
    throw InputError("token id " + std::to_string(id) + " is outside the vocabulary of " +
                     std::to_string(size()) + " tokens");
  }
}

const std::string& Tokenizer::piece(TokenId id) const {
  check_id(id);
  return vocabulary_.tokens[id];
}

const std::string& Tokenizer::bytes(TokenId id) const {
  check_id(id);
  return bytes_[id];
}

TokenKind Tokenizer::kind(TokenId id) const {
  check_id(id);
  return kinds_[id];
}

std::optional<TokenId> Tokenizer::find(std::string_view piece) const {
  const auto found = index_.find(std::string(piece));
  if (found == index_.end()) return std::nullopt;
  return found->second;
}

}  // namespace lockstep::tokenizer
