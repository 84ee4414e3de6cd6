// Model shapes and weight seeds as plain numbers. sim/ knows models only by their
// dimensions (for KV byte counts and the symbolic model's vocabulary); reference/ and gpu/
// build real weights from the same config.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockstep::sim {

// How a real backend computes (issue 13): `exact` is the integer contract of docs/numerics.md,
// bit-identical whatever the batch; `float` is fp32 arithmetic as ordinary inference stacks
// do it, whose reduction order (and so whose bits) depends on the pass shape. The symbolic
// backend has no arithmetic and ignores it. `bf16` is the float forward as a bf16 inference
// stack stores tensors: weights, GEMM inputs and outputs, the residual stream, norm outputs and
// K/V rounded to bf16, accumulation and softmax/RMSNorm statistics in fp32 (docs/numerics.md §15).
enum class Numerics { exact, float32, bf16 };

// True for every profile that computes in floating point (float, bf16): not exact.
constexpr bool is_float(Numerics numerics) {
  return numerics != Numerics::exact;
}

struct ModelConfig {
  std::string name;  // preset name or "custom"
  int vocab = 0;     // token ids are in [0, vocab)
  int d_model = 0;
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;
  int head_dim = 0;  // d_model / n_heads for every preset
  int ffn = 0;
  std::uint64_t seed = 0;  // weights (and the symbolic model's hash) are keyed on it

  // Loaded weights (docs/numerics.md §13): the model file (GGUF) the weights are converted
  // from; empty for the generated weights of a preset. Plain numbers only: the tensors live
  // in reference/ and gpu/, which read the file themselves.
  std::string weights_file;
  double rope_base = 10000.0;  // RoPE frequency base (the file's for a loaded model)
  float rms_eps = 0.0f;        // RMSNorm epsilon in x^2 units (loaded models only)
  bool loaded() const { return !weights_file.empty(); }
  Numerics numerics = Numerics::exact;

  // K and V for every layer and kv head (int8 exact, fp32 float, bf16 bf16): the bytes one KV
  // slot of one row occupies.
  std::int64_t kv_bytes_per_slot() const {
    const long long element = numerics == Numerics::float32 ? 4
                              : numerics == Numerics::bf16  ? 2
                                                            : 1;
    return element * 2LL * n_layers * n_kv_heads * head_dim;
  }
};

// "exact" | "float" | "bf16", the scenario field's and --numerics' spelling.
const char* numerics_name(Numerics numerics);
// Throws InputError naming `field` and the value when `text` is none of them.
Numerics parse_numerics(const std::string& text, const std::string& field);

// Throws InputError naming the first inconsistent field (prefix names the config's place
// in a scenario, e.g. "target").
void validate(const ModelConfig& config, const std::string& prefix);

// Known presets: tiny, small, draft-tiny, draft-small, vicuna-7b, vicuna-68m. Throws InputError
// listing the known names when `name` is not one of them.
ModelConfig preset(const std::string& name, std::uint64_t seed);
std::vector<std::string> preset_names();

// A draft made of the target's first `layers` layers: same seed, so every backend builds it
// from the target's own weight tensors (the cpu backend shares them, no copies).
ModelConfig derived_draft(const ModelConfig& target, int layers);

}  // namespace lockstep::sim
