// The model's own tokenizer: byte-level BPE (GPT-2 style) built from plain vectors, the way
// a GGUF file stores it (tokenizer.ggml.tokens / merges / token_type, the special ids and the
// pre-tokenizer name). Encoding: special tokens are cut out of the text first (CONTROL ones
// only when asked), the rest is split by the pre-tokenizer's regexes (PCRE2, UTF + UCP) and
// each piece is merged by rank. Decoding maps ids back to the exact bytes they stand for.
// Does not read files (tokenizer/from_gguf.h does), normalize text, add BOS/EOS, or sample.
// Invariant: decode(encode(text)) == text for every byte string it encodes (checked against PyPI
// `tokenizers` by tests/tokenizer_crosscheck_test.sh).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/bpe_merge.h"

namespace lockstep::tokenizer {

// GGUF's tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenKind : std::int32_t {
  normal = 1,
  unknown = 2,
  control = 3,       // matched in text only when specials are parsed
  user_defined = 4,  // always matched in text, like HF's non-special added tokens
  unused = 5,
  byte = 6,  // SentencePiece byte tokens: not part of byte-level BPE (rejected)
};

// Everything a tokenizer is made of, as plain data (GGUF's metadata, one field each).
struct Vocabulary {
  std::string model;                      // tokenizer.ggml.model: must be "gpt2"
  std::string pre;                        // tokenizer.ggml.pre: names the pre-tokenizer regexes
  std::vector<std::string> tokens;        // id -> text in the byte-level alphabet
  std::vector<std::string> merges;        // "left right", rank = index
  std::vector<std::int32_t> token_types;  // id -> TokenKind value; empty: all normal
  std::optional<TokenId> bos, eos, pad, unknown;  // tokenizer.ggml.*_token_id
  std::string chat_template;                      // tokenizer.chat_template (may be empty)
};

// Whether special (CONTROL) tokens written in the text become their ids or plain text.
enum class Specials { parse, as_text };

class Pretokenizer;

class Tokenizer {
 public:
  // Checks the vocabulary (model "gpt2", a known pre type, every merge's parts in the
  // vocabulary, token types known); throws InputError naming the field.
  explicit Tokenizer(Vocabulary vocabulary);

  // Any byte string is accepted (invalid UTF-8 is kept byte for byte) as long as the
  // vocabulary has a token for each of its bytes; a byte without one is an InputError.
  std::vector<TokenId> encode(std::string_view text, Specials specials) const;
  // The bytes the ids stand for, concatenated (specials decode to their text). Throws
  // InputError for an id outside the vocabulary.
  std::string decode(std::span<const TokenId> ids) const;

  int size() const { return static_cast<int>(vocabulary_.tokens.size()); }
  // The token as the vocabulary writes it (e.g. "Ġthe"); what HF calls the token's piece.
  const std::string& piece(TokenId id) const;
  // The bytes the token stands for (e.g. " the"); may be part of a UTF-8 character.
  const std::string& bytes(TokenId id) const;
  TokenKind kind(TokenId id) const;
  std::optional<TokenId> find(std::string_view piece) const;
  const Vocabulary& vocabulary() const { return vocabulary_; }

 private:
  void index_tokens();
  void index_merges();
  void append_word(std::string_view word, std::vector<TokenId>& out) const;
  void append_text(std::string_view text, std::vector<TokenId>& out) const;
  void check_id(TokenId id) const;

  Vocabulary vocabulary_;
  std::vector<std::string> bytes_;  // id -> decoded bytes
  std::vector<TokenKind> kinds_;
  std::unordered_map<std::string, TokenId> index_;
  std::array<TokenId, 256> byte_token_{};  // -1: the vocabulary lacks that byte
  MergeTable merges_;
  std::vector<TokenId> always_specials_, control_specials_;
  std::shared_ptr<const Pretokenizer> pretokenizer_;  // compiled regexes, shared by copies
};

}  // namespace lockstep::tokenizer
