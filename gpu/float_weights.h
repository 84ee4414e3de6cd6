// The weights of the gpu float and bf16 profiles on the device (issue 13; docs/numerics.md
// §15.2): the same values as the cpu float profile (reference/float_model.cpp). A generated
// preset's int8 weights are generated on the device (k_weights.cu) and dequantized there
// (value * channel scale, k_float_weights.cu: reference/weights.cpp WeightStore::dequantized
// on the host); a loaded model's are the file's own dequantized floats (loaded::load_float,
// the very call of the cpu float profile), uploaded, RMSNorm gains kept apart, tied head
// shared. Under bf16 every matrix and gain is rounded to bf16 once (k_float_bf16.cu) and each
// matrix also kept as CUDA_R_16BF bits for the GEMMs. Tensors are shared between models (a
// draft made of the target's first layers) by generator id or file tensor.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/device_buffer.h"
#include "loaded/loaded_model.h"
#include "sim/model_config.h"

namespace lockstep::gpu {

struct FloatMatrixOnDevice {
  int rows = 0, cols = 0;
  DeviceBuffer<float> values;        // [rows, cols], bf16-valued under bf16
  DeviceBuffer<std::uint16_t> bf16;  // [rows, cols] CUDA_R_16BF bits (bf16 profile only)
};
using SharedMatrix = std::shared_ptr<const FloatMatrixOnDevice>;

struct FloatModelOnDevice {
  sim::ModelConfig config;
  bool bf16 = false;
  float eps = 0;
  SharedMatrix embedding, head;  // the same matrix when the file ties them
  std::shared_ptr<const DeviceBuffer<float>> out_norm;
  struct Layer {
    SharedMatrix wq, wk, wv, wo, wg, wu, wd;
    std::shared_ptr<const DeviceBuffer<float>> attn_norm, ffn_norm;
  };
  std::vector<Layer> layers;
  std::vector<float> rope_cos, rope_sin;  // host, [rope_positions, D / 2]
  DeviceBuffer<float> rope_cos_device, rope_sin_device;
  int rope_positions = 0;
  int kv_width() const { return config.n_kv_heads * config.head_dim; }
};

// Builds and caches the device weights of float / bf16 models on one stream.
class FloatWeightStore {
 public:
  explicit FloatWeightStore(cudaStream_t stream) : stream_(stream) {}
  // Validates the config (numerics/model_validation.h) and a loaded file's shapes.
  std::shared_ptr<FloatModelOnDevice> model(const sim::ModelConfig& config);

 private:
  SharedMatrix generated(const sim::ModelConfig& c, std::uint64_t id, int rows, int cols,
                         double gain, bool bf16);
  SharedMatrix uploaded(const loaded::FloatMatrix& m, bool bf16);
  std::shared_ptr<const DeviceBuffer<float>> gains(std::vector<float> values, bool bf16);
  void use_generated(FloatModelOnDevice& m);
  void use_loaded(FloatModelOnDevice& m);
  void finish(FloatMatrixOnDevice& m, bool bf16);

  cudaStream_t stream_;
  std::map<std::string, std::shared_ptr<FloatModelOnDevice>> models_;
  std::map<std::tuple<std::uint64_t, std::uint64_t, int, int, bool>, SharedMatrix> generated_;
  std::map<std::pair<const void*, bool>, SharedMatrix> uploaded_;
  std::map<std::string, std::shared_ptr<const loaded::FloatWeights>> files_;
};

}  // namespace lockstep::gpu
