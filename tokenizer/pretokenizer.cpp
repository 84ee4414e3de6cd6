// PCRE2-backed pre-tokenizer (see pretokenizer.h).
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenizer.h"

#include <pcre2.h>

#include <map>
#include <new>

#include "sim/error.h"

namespace lockstep::tokenizer {
namespace {

// GPT-2's pre-tokenizer regex (OpenAI's encoder.py, HF's ByteLevel): contractions, letters,
// numbers, other symbols, each with one optional leading space, then whitespace runs (a run
// followed by a non-space keeps its last space for the next piece). Whitespace is Unicode's
// White_Space property, as `\s` is in Oniguruma and Rust (HF's engines); PCRE2's own `\s`
// also takes U+180E, which Unicode stopped counting as a space in 6.3.
const char* const kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+)"
    R"(|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+)";

// Name -> regexes, as llama.cpp's llama-vocab.cpp assigns them. "smollm" (also StarCoder's)
// isolates every digit first, like HF's Digits(individual_digits) before ByteLevel.
const std::map<std::string, std::vector<std::string>>& known_pretokenizers() {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"gpt2", {kGpt2}},
      {"smollm", {R"(\p{N})", kGpt2}},
      {"starcoder", {R"(\p{N})", kGpt2}},
  };
  return table;
}

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  if (pcre2_get_error_message(code, buffer, sizeof buffer) < 0)
    return "error " + std::to_string(code);
  return reinterpret_cast<const char*>(buffer);
}

// Appends the matches of `code` in `text` and the text between them, in order.
void split_by(const pcre2_code* code, pcre2_match_data* match, std::string_view text,
              std::vector<std::string_view>& out) {
  // The piece is the whole subject, so lookaheads never see past it (as in HF and llama.cpp).
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t from = 0, kept = 0;  // kept: end of what is already in `out`
  while (from < text.size()) {
    const int rc = pcre2_match(code, subject, text.size(), from, 0, match, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw InputError("pre-tokenizer regex match failed: " + pcre2_message(rc));
    const PCRE2_SIZE* span = pcre2_get_ovector_pointer(match);
    if (span[1] == span[0]) {  // an empty match splits nothing; step past it
      from = span[0] + 1;
      continue;
    }
    if (span[0] > kept) out.push_back(text.substr(kept, span[0] - kept));
    out.push_back(text.substr(span[0], span[1] - span[0]));
    kept = from = span[1];
  }
  if (kept < text.size()) out.push_back(text.substr(kept));
}

using MatchData = std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)>;

}  // namespace

struct Pretokenizer::Compiled {
  pcre2_code* code = nullptr;
  ~Compiled() { pcre2_code_free(code); }
};

const std::vector<std::string>& pretokenizer_regexes(const std::string& pre_name) {
  const auto& table = known_pretokenizers();
  const auto found = table.find(pre_name);
  if (found != table.end()) return found->second;
  std::string known;
  for (const auto& [name, regexes] : table) known += (known.empty() ? "" : ", ") + name;
  throw InputError("unknown pre-tokenizer '" + pre_name +
                   "' (tokenizer.ggml.pre); known: " + known);
}

Pretokenizer::Pretokenizer(const std::vector<std::string>& regexes) {
  for (const std::string& pattern : regexes) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    auto compiled = std::make_unique<Compiled>();
    compiled->code =
        pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
    if (compiled->code == nullptr) {
      throw InputError("pre-tokenizer regex '" + pattern + "' does not compile at offset " +
                       std::to_string(offset) + ": " + pcre2_message(error));
    }
    pcre2_jit_compile(compiled->code, PCRE2_JIT_COMPLETE);  // optional: interpreted if it fails
    compiled_.push_back(std::move(compiled));
  }
}

Pretokenizer::~Pretokenizer() = default;

std::vector<std::string_view> Pretokenizer::split(std::string_view text) const {
  // One ovector pair is enough: only the whole match is used (rc 0 just says so).
  MatchData match(pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
  if (!match) throw std::bad_alloc();
  std::vector<std::string_view> pieces{text};
  for (const auto& regex : compiled_) {
    std::vector<std::string_view> next;
    next.reserve(pieces.size() * 2);
    for (std::string_view piece : pieces) split_by(regex->code, match.get(), piece, next);
    pieces = std::move(next);
  }
  return pieces;
}

}  // namespace lockstep::tokenizer
