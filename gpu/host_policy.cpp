#include "gpu/host_policy.h"

#include <algorithm>
#include <cstdlib>

namespace lockstep::gpu {

int validate_token_pad(int pad, const char* source) {
  if (pad < 16 || pad > kMaxTokenPad || pad % 16 != 0) {
    throw InputError(std::string(source) +
                     ": the GEMM token padding must be a multiple of 16 in [16, " +
                     std::to_string(kMaxTokenPad) + "], got " + std::to_string(pad));
  }
  return pad;
}

int parse_token_pad(const std::string& text) {
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || !end || *end != '\0' || value < 0 || value > kMaxTokenPad) {
    throw InputError(
        "LOCKSTEP_GPU_TOKEN_PAD: the GEMM token padding must be a multiple of 16 "
        "in [16, " +
        std::to_string(kMaxTokenPad) + "], got '" + text + "'");
  }
  return validate_token_pad(static_cast<int>(value), "LOCKSTEP_GPU_TOKEN_PAD");
}

int token_pad_from_env() {
  const char* text = std::getenv("LOCKSTEP_GPU_TOKEN_PAD");
  if (!text || !*text) return kDefaultTokenPad;
  return parse_token_pad(text);
}

int pad_tokens(int n, int pad) {
  validate_token_pad(pad, "pad_tokens");
  require(n >= 0, "pad_tokens: negative token count");
  return (n + pad - 1) / pad * pad;
}

int rope_table_rows(int current, int needed) {
  require(current >= 0 && needed >= 0, "rope_table_rows: negative row count");
  if (needed <= current) return current;
  constexpr int kMinRows = 64;
  const long long doubled = 2LL * current;
  const long long rows = std::max<long long>({needed, doubled, kMinRows});
  // Positions are ints: never grow past what an int counts, and never below what is needed.
  return static_cast<int>(std::min<long long>(rows, std::max(needed, 0x3fffffff)));
}

std::string with_gemm_shape(const std::string& what, int m, int n, int k) {
  return what + " (GEMM M=" + std::to_string(m) + " N=" + std::to_string(n) +
         " K=" + std::to_string(k) + ")";
}

std::string model_key(const sim::ModelConfig& c) {
  return std::to_string(c.seed) + ":" + std::to_string(c.vocab) + ":" + std::to_string(c.d_model) +
         ":" + std::to_string(c.n_layers) + ":" + std::to_string(c.n_heads) + ":" +
         std::to_string(c.n_kv_heads) + ":" + std::to_string(c.head_dim) + ":" +
         std::to_string(c.ffn) + ":" + c.weights_file;
}

}  // namespace lockstep::gpu
