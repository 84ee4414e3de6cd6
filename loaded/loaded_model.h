// A llama-family model file (GGUF) converted once into the exact format of docs/numerics.md
// §13: every weight matrix dequantized (gguf/), the RMSNorm gain folded into the projection it
// feeds, then int8 per output channel with a stored per-channel scale; per-layer K and V
// scales from the deterministic calibration (loaded/kv_calibration.h); the file's RoPE base
// and RMSNorm epsilon in the model config; a tied head when the file has no output.weight.
// Plain vectors, no Eigen and no CUDA: the CPU reference wraps the matrices for its GEMMs and
// the gpu runtime uploads the very same bytes. Does not run the model and knows nothing of
// tokenizers or scenarios.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sim/model_config.h"

namespace lockstep::loaded {

// int8 [rows, cols] row-major (each output channel contiguous along K), values in
// [-127, 127], and one f32 scale per row.
struct Int8Matrix {
  int rows = 0;
  int cols = 0;
  std::vector<std::int8_t> values;
  std::vector<float> scales;
};

struct Layer {
  Int8Matrix wq, wk, wv;  // attn_norm's gain folded in
  Int8Matrix wo;
  Int8Matrix wg, wu;  // ffn_norm's gain folded in
  Int8Matrix wd;
  float k_scale = 0;  // the layer's K and V cache scales (calibrated)
  float v_scale = 0;
};

struct Model {
  sim::ModelConfig config;  // shapes, rope_base, rms_eps, weights_file
  Int8Matrix embedding;     // [V, d]
  Int8Matrix head;          // [V, d], output_norm's gain folded in
  std::vector<Layer> layers;
};

// The config of the model in `path` (hyperparameters only; cheap): name `name` (e.g. the
// model cache's name), weights_file = path, seed 0. Throws InputError naming the file and the
// field for an unreadable file, an unsupported architecture or inconsistent shapes.
sim::ModelConfig model_config(const std::string& path, const std::string& name);

// Converts every tensor (seconds for a 135M model). Throws InputError as model_config does,
// and when no K/V calibration is known for the file (naming how to make one).
std::shared_ptr<const Model> load(const std::string& path, const std::string& name);

// The same file's weights as the file's own dequantized floats, for float numerics (issue 13;
// docs/numerics.md "Float numerics (not exact)"): RMSNorm gains kept apart (not folded), the
// embedding as the head when the file has no output.weight (shared, not copied). Loaded only
// when a float run asks for it, so an exact run never holds these floats. The values are
// shared (a tied head, a derived draft, the reference's generated weights reuse them).
struct FloatMatrix {
  int rows = 0;
  int cols = 0;
  std::shared_ptr<const std::vector<float>> values;  // row-major [rows, cols]
};

struct FloatLayer {
  std::vector<float> attn_norm, ffn_norm;  // [d] RMSNorm gains
  FloatMatrix wq, wk, wv, wo, wg, wu, wd;
};

struct FloatWeights {
  sim::ModelConfig config;
  FloatMatrix embedding;        // [V, d]
  FloatMatrix head;             // [V, d] (the embedding itself when tied)
  std::vector<float> out_norm;  // [d]
  std::vector<FloatLayer> layers;
};

// Reads every tensor as floats. Throws InputError as model_config does; needs no K/V
// calibration (float numerics keeps K/V in fp32).
std::shared_ptr<const FloatWeights> load_float(const std::string& path, const std::string& name);

// One weight matrix [rows, cols] (row-major floats) times an optional per-column gain
// (`gain` empty or [cols]), quantized per row: scale = activation_scale(max |w * gain|),
// values = quantize(w * gain, scale). The one conversion rule of §13.
Int8Matrix quantize_per_channel(const std::vector<float>& w, int rows, int cols,
                                const std::vector<float>& gain);

}  // namespace lockstep::loaded
