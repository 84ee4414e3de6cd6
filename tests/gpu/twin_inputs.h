// Random inputs for the kernel-twin tests (test_gpu_device.cpp) and the conversions between
// the reference ops' containers and the device layouts: a random int8 tensor both as a
// reference QuantMatrix and as the padded device copy the GEMM wants; activations as flat
// row-major vectors; the KV cache as std::vector<KvRow> and as the device's [rows, L, S, C] /
// [rows, L, C, S] byte arrays. No checks live here.
#pragma once

#include <cstdint>
#include <vector>

#include "gpu/device_buffer.h"
#include "gpu/plan.h"
#include "reference/ops.h"
#include "tests/random_batch.h"

namespace lockstep::test {

template <typename T>
std::vector<T> download(const gpu::DeviceBuffer<T>& buffer, std::size_t count) {
  std::vector<T> host;
  buffer.download(host, count, nullptr);
  return host;
}

template <typename T>
gpu::DeviceBuffer<T> upload(const std::vector<T>& host) {
  gpu::DeviceBuffer<T> buffer(host.size());
  buffer.upload(host, nullptr);
  return buffer;
}

// Floats in [-spread, spread] on a grid of 2001 values (exact zeros included).
inline std::vector<float> random_floats(Draw& draw, std::size_t count, float spread) {
  std::vector<float> out(count);
  for (auto& v : out) v = static_cast<float>(draw(2001) - 1000) * (spread / 1000.0f);
  return out;
}

inline std::vector<std::int8_t> random_int8(Draw& draw, std::size_t count) {
  std::vector<std::int8_t> out(count);
  for (auto& v : out) v = static_cast<std::int8_t>(draw(255) - 127);
  return out;
}

inline reference::Activations to_activations(const std::vector<float>& flat, int rows, int cols) {
  return Eigen::Map<const reference::Activations>(flat.data(), rows, cols);
}

inline std::vector<float> to_flat(const reference::Activations& x) {
  return std::vector<float>(x.data(), x.data() + x.size());
}

// An int8 tensor [rows, cols] with per-row scales, on both sides.
struct TwinTensor {
  reference::QuantMatrix cpu;
  int rows_padded = 0, ld = 0;
  gpu::DeviceBuffer<std::int8_t> values;  // [rows_padded, ld], zero padded
  gpu::DeviceBuffer<float> scales;        // [rows]
};

inline TwinTensor random_tensor(Draw& draw, int rows, int cols) {
  TwinTensor t;
  t.rows_padded = gpu::pad16(rows);
  t.ld = gpu::pad16(cols);
  t.cpu.values.resize(rows, cols);
  std::vector<std::int8_t> padded(static_cast<std::size_t>(t.rows_padded) * t.ld, 0);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      // Extremes often, so integer sums reach the interesting part of the int32 range.
      const int v = draw(3) == 0 ? (draw(2) ? 127 : -127) : draw(255) - 127;
      t.cpu.values(r, c) = v;
      padded[static_cast<std::size_t>(r) * t.ld + c] = static_cast<std::int8_t>(v);
    }
    t.cpu.scales.push_back(static_cast<float>(1 + draw(1000)) * 1.0e-4f);
  }
  t.values = upload(padded);
  t.scales = upload(t.cpu.scales);
  return t;
}

// The KV cache of `rows` rows, `layers` layers, `capacity` slots of `kv_width` channels.
struct KvShape {
  int rows = 0, layers = 0, capacity = 0, kv_width = 0;
  std::size_t plane() const { return static_cast<std::size_t>(capacity) * kv_width; }
};

inline std::vector<reference::KvRow> random_cache(Draw& draw, const KvShape& shape) {
  std::vector<reference::KvRow> cache(static_cast<std::size_t>(shape.rows));
  for (auto& row : cache) {
    for (int l = 0; l < shape.layers; ++l) {
      row.k.push_back(random_int8(draw, shape.plane()));
      row.vt.push_back(random_int8(draw, shape.plane()));
    }
  }
  return cache;
}

// The device layout: K (or V^T) planes of every (row, layer), row-major in (row, layer).
inline std::vector<std::int8_t> device_layout(const std::vector<reference::KvRow>& cache,
                                              bool values) {
  std::vector<std::int8_t> out;
  for (const auto& row : cache)
    for (const auto& plane : values ? row.vt : row.k)
      out.insert(out.end(), plane.begin(), plane.end());
  return out;
}

}  // namespace lockstep::test
