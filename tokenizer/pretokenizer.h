// The pre-tokenizer: splits text into the pieces BPE merges within, by a list of regexes
// chosen by the GGUF's tokenizer.ggml.pre name. Each regex in turn splits every piece of the
// previous one into its matches and the text between them (both kept, as HF's "isolated"
// split and llama.cpp's regex split do). The regexes are data run by PCRE2 in UTF and UCP
// modes (Unicode classes from PCRE2's own tables); invalid UTF-8 never matches, so it stays
// in the pieces between matches byte for byte. Not thread-hostile: matching is const.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace lockstep::tokenizer {

// The regexes of a pre-tokenizer name; throws InputError naming an unknown one and listing
// the known names.
const std::vector<std::string>& pretokenizer_regexes(const std::string& pre_name);

class Pretokenizer {
 public:
  // Compiles the regexes; a pattern PCRE2 rejects is an InputError naming it and the offset.
  explicit Pretokenizer(const std::vector<std::string>& regexes);
  ~Pretokenizer();
  Pretokenizer(const Pretokenizer&) = delete;
  Pretokenizer& operator=(const Pretokenizer&) = delete;

  // Pieces of `text` in order; their concatenation is `text`. The views point into `text`.
  std::vector<std::string_view> split(std::string_view text) const;

 private:
  struct Compiled;  // a pcre2_code (pcre2.h stays out of this header)
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

}  // namespace lockstep::tokenizer
