// Incremental decoding for streaming output: tokens arrive one at a time, and a character
// split over two tokens (a byte-level BPE token may end in the middle of one) must not be
// printed half. Holds back only the unfinished UTF-8 character at the end; bytes that can
// never become valid UTF-8 pass straight through. Invariant: the concatenation of every
// push() and the final finish() equals Tokenizer::decode of all the ids, byte for byte.
#pragma once

#include <string>

#include "tokenizer/tokenizer.h"

namespace lockstep::tokenizer {

class StreamDecoder {
 public:
  explicit StreamDecoder(const Tokenizer& tokenizer) : tokenizer_(&tokenizer) {}

  // The text that is complete now that `id` has arrived (possibly empty).
  std::string push(TokenId id);
  // Whatever is still held back (an unfinished character at the end of the stream).
  std::string finish();
  // Bytes held back, waiting for the rest of their character.
  std::size_t pending() const { return held_.size(); }

 private:
  const Tokenizer* tokenizer_;
  std::string held_;
};

}  // namespace lockstep::tokenizer
