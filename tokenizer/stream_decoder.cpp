// Streaming decoder (see stream_decoder.h).
#include "tokenizer/stream_decoder.h"

#include "tokenizer/utf8.h"

namespace lockstep::tokenizer {

std::string StreamDecoder::push(TokenId id) {
  held_ += tokenizer_->bytes(id);
  const std::size_t keep = incomplete_tail(held_);
  std::string ready = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return ready;
}

std::string StreamDecoder::finish() {
  std::string rest;
  rest.swap(held_);
  return rest;
}

}  // namespace lockstep::tokenizer
