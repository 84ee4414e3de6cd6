// The CPU twins of the gpu float profiles' kernels (gpu/float_kernels.h): each loops over the
// g++ copy of the gpu/float_math.h function its kernel calls, on flat row-major vectors in
// the kernel's layouts (K/V caches [rows, L, S, C]). The moves and crops' twins are the cpu
// float profile's own cache functions (reference/float_cache.h), reached through
// to_float_rows / from_float_rows. No checks live here.
#pragma once

#include <cstdint>
#include <vector>

#include "gpu/float_math.h"
#include "numerics/numerics.h"
#include "numerics/pass_plan.h"
#include "reference/float_cache.h"

namespace lockstep::test::float_twins {

inline std::size_t at(std::int64_t a, std::int64_t b) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

// values [rows_padded, ld] as k_weights.cu lays them out.
inline std::vector<float> dequantize(const std::vector<std::int8_t>& values, int ld,
                                     const std::vector<float>& scales, int rows, int cols) {
  std::vector<float> out(at(rows, cols));
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      out[at(r, cols) + static_cast<std::size_t>(c)] = gpu::float_math::dequantized_weight(
          values[at(r, ld) + static_cast<std::size_t>(c)], scales[static_cast<std::size_t>(r)]);
  return out;
}

inline std::vector<float> round_bf16(std::vector<float> x) {
  for (float& v : x) v = gpu::float_math::round_bf16(v);
  return x;
}

inline std::vector<std::uint16_t> to_bf16(const std::vector<float>& x) {
  std::vector<std::uint16_t> out;
  for (float v : x) out.push_back(gpu::float_math::bf16_bits(v));
  return out;
}

inline std::vector<float> embed(const std::vector<float>& table, const std::vector<int>& tokens,
                                int d) {
  std::vector<float> h;
  for (int t : tokens)
    h.insert(h.end(), table.begin() + static_cast<std::ptrdiff_t>(at(t, d)),
             table.begin() + static_cast<std::ptrdiff_t>(at(t + 1, d)));
  return h;
}

inline std::vector<float> rms_norm(const std::vector<float>& x, int n, int d,
                                   const std::vector<float>& gain, float eps) {
  std::vector<float> out(x.size());
  for (int i = 0; i < n; ++i) {
    const float* row = x.data() + at(i, d);
    const float r = gpu::float_math::rms_inverse(row, d, eps);
    for (int j = 0; j < d; ++j)
      out[at(i, d) + static_cast<std::size_t>(j)] =
          gpu::float_math::rms_apply(row[j], r, gain[static_cast<std::size_t>(j)]);
  }
  return out;
}

inline void rope(std::vector<float>& x, int n, int heads, int head_dim,
                 const std::vector<std::int32_t>& positions, const std::vector<float>& cos,
                 const std::vector<float>& sin) {
  const int half = head_dim / 2;
  for (int i = 0; i < n; ++i)
    for (int h = 0; h < heads; ++h)
      for (int j = 0; j < half; ++j) {
        const std::size_t a = at(static_cast<std::int64_t>(i) * heads + h, head_dim) + 2 * j;
        const std::size_t t = at(positions[static_cast<std::size_t>(i)], half) + j;
        numerics::rope_rotate(x[a], x[a + 1], cos[t], sin[t]);
      }
}

inline std::vector<float> swiglu(const std::vector<float>& gate, const std::vector<float>& up) {
  std::vector<float> out(gate.size());
  for (std::size_t e = 0; e < gate.size(); ++e) out[e] = gpu::float_math::swiglu(gate[e], up[e]);
  return out;
}

inline void add(std::vector<float>& h, const std::vector<float>& delta) {
  for (std::size_t e = 0; e < h.size(); ++e) h[e] = h[e] + delta[e];
}

// Sequential writes in plan order: a later writer of one (row, slot) wins.
inline void kv_write(const std::vector<float>& k, const std::vector<float>& v, int kv_width,
                     const numerics::PassPlan& plan, std::vector<float>& k_cache,
                     std::vector<float>& v_cache, int layer, int layers, int capacity) {
  for (std::size_t i = 0; i < plan.rows.size(); ++i) {
    const std::size_t base = at(
        (static_cast<std::int64_t>(plan.rows[i]) * layers + layer) * capacity + plan.write_slots[i],
        kv_width);
    for (int c = 0; c < kv_width; ++c) {
      k_cache[base + static_cast<std::size_t>(c)] =
          k[at(static_cast<std::int64_t>(i), kv_width) + c];
      v_cache[base + static_cast<std::size_t>(c)] =
          v[at(static_cast<std::int64_t>(i), kv_width) + c];
    }
  }
}

inline std::vector<float> attention(const std::vector<float>& q, int heads, int kv_heads,
                                    int head_dim, const numerics::PassPlan& plan,
                                    const std::vector<float>& k_cache,
                                    const std::vector<float>& v_cache, int layer, int layers,
                                    int capacity, float scale) {
  std::vector<float> out(q.size()), weights(static_cast<std::size_t>(capacity) + 1);
  const int kv_width = kv_heads * head_dim;
  for (std::size_t i = 0; i < plan.rows.size(); ++i) {
    for (int h = 0; h < heads; ++h) {
      const std::size_t plane =
          at((static_cast<std::int64_t>(plan.rows[i]) * layers + layer) * capacity, kv_width) +
          at(h / (heads / kv_heads), head_dim);
      const std::int32_t first = plan.visible_offsets[i];
      const std::size_t e = at(static_cast<std::int64_t>(i) * heads + h, head_dim);
      gpu::float_math::attend(q.data() + e, k_cache.data() + plane, v_cache.data() + plane,
                              kv_width, head_dim, plan.visible.data() + first,
                              plan.visible_offsets[i + 1] - first, scale, weights.data(),
                              out.data() + e);
    }
  }
  return out;
}

// The flat [rows, L, S, C] cache as reference FloatKvRows and back.
inline std::vector<reference::FloatKvRow> to_float_rows(const std::vector<float>& k,
                                                        const std::vector<float>& v, int rows,
                                                        int layers, int plane) {
  std::vector<reference::FloatKvRow> out(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r)
    for (int l = 0; l < layers; ++l) {
      const auto from =
          static_cast<std::ptrdiff_t>(at(static_cast<std::int64_t>(r) * layers + l, plane));
      out[static_cast<std::size_t>(r)].k.emplace_back(k.begin() + from, k.begin() + from + plane);
      out[static_cast<std::size_t>(r)].v.emplace_back(v.begin() + from, v.begin() + from + plane);
    }
  return out;
}

inline void from_float_rows(const std::vector<reference::FloatKvRow>& rows, std::vector<float>& k,
                            std::vector<float>& v) {
  k.clear();
  v.clear();
  for (const auto& row : rows)
    for (std::size_t l = 0; l < row.k.size(); ++l) {
      k.insert(k.end(), row.k[l].begin(), row.k[l].end());
      v.insert(v.end(), row.v[l].begin(), row.v[l].end());
    }
}

}  // namespace lockstep::test::float_twins
