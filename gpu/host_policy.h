// Host-side policies of the gpu runtime, plain C++ so that test_gpu_host checks them without
// a device:
//   * the token padding of the GEMMs' M dimension (a runtime option: LOCKSTEP_GPU_TOKEN_PAD or
//     GpuBackend::set_token_pad; default 16, the smallest shape cuBLASLt's int8 kernels take);
//   * the RoPE table's geometric growth (so the table is re-uploaded O(log positions) times);
//   * GEMM error text that names M, N and K (a cuBLAS failure alone does not say which call);
//   * the key that shares a model's device weights between caches.
// Nothing here changes a value the device computes: padding rows are zeros and RoPE rows do
// not depend on how many are built.
#pragma once

#include <string>
#include <type_traits>
#include <utility>

#include "sim/error.h"
#include "sim/model_config.h"

namespace lockstep::gpu {

inline constexpr int kDefaultTokenPad = 16;
inline constexpr int kMaxTokenPad = 256;

// A token padding must be a multiple of 16 in [16, 256]; throws InputError naming `source`.
int validate_token_pad(int pad, const char* source);

// LOCKSTEP_GPU_TOKEN_PAD parsed and validated (a decimal integer), or kDefaultTokenPad when
// the variable is unset or empty.
int token_pad_from_env();
int parse_token_pad(const std::string& text);

// n rounded up to a multiple of `pad` (pad validated); 0 stays 0.
int pad_tokens(int n, int pad);

// Seed, shapes and weights file: caches of equal keys share one model's device weights.
std::string model_key(const sim::ModelConfig& c);

// The RoPE table's rows after growing from `current` to hold `needed` positions: unchanged
// when it already does, else at least double (and at least 64), so that a run whose positions
// grow one by one uploads the table a logarithmic number of times.
int rope_table_rows(int current, int needed);

// "<what> (GEMM M=<m> N=<n> K=<k>)": M tokens (padded), N output channels, K the inner width.
std::string with_gemm_shape(const std::string& what, int m, int n, int k);

// Runs call(); a lockstep InputError or ContractError it throws is rethrown as the same type
// with the GEMM's shape appended.
template <typename Call>
decltype(auto) naming_gemm_shape(int m, int n, int k, Call&& call) {
  try {
    return std::forward<Call>(call)();
  } catch (const InputError& e) {
    throw InputError(with_gemm_shape(e.what(), m, n, k));
  } catch (const ContractError& e) {
    throw ContractError(with_gemm_shape(e.what(), m, n, k));
  }
}

}  // namespace lockstep::gpu
