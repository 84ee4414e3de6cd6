#include "gguf/dequantize.h"

#include <bit>
#include <cstring>
#include <string>

#include "sim/error.h"

namespace lockstep::gguf {
namespace {

// ggml-common.h's blocks, byte for byte.
constexpr int kBlock = 32;
struct BlockQ8_0 {
  std::uint16_t d;
  std::int8_t qs[kBlock];
};
struct BlockQ4_0 {
  std::uint16_t d;
  std::uint8_t qs[kBlock / 2];
};
struct BlockQ4_1 {
  std::uint16_t d;
  std::uint16_t m;
  std::uint8_t qs[kBlock / 2];
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);

template <typename T>
T load(const std::byte* at) {
  T value;
  std::memcpy(&value, at, sizeof(T));
  return value;
}

// Each block type's elements; `out` has room for kBlock floats.
void expand(const BlockQ8_0& b, float* out) {
  const float d = half_to_float(b.d);
  for (int j = 0; j < kBlock; ++j) out[j] = static_cast<float>(b.qs[j]) * d;
}
void expand(const BlockQ4_0& b, float* out) {
  const float d = half_to_float(b.d);
  for (int j = 0; j < kBlock / 2; ++j) {
    out[j] = static_cast<float>((b.qs[j] & 0x0F) - 8) * d;
    out[j + kBlock / 2] = static_cast<float>((b.qs[j] >> 4) - 8) * d;
  }
}
void expand(const BlockQ4_1& b, float* out) {
  const float d = half_to_float(b.d);
  const float m = half_to_float(b.m);
  for (int j = 0; j < kBlock / 2; ++j) {
    out[j] = static_cast<float>(b.qs[j] & 0x0F) * d + m;
    out[j + kBlock / 2] = static_cast<float>(b.qs[j] >> 4) * d + m;
  }
}

template <typename Block>
void expand_blocks(std::span<const std::byte> bytes, std::vector<float>& out) {
  for (std::size_t b = 0; b < out.size() / kBlock; ++b) {
    expand(load<Block>(bytes.data() + b * sizeof(Block)), out.data() + b * kBlock);
  }
}

template <typename Element, typename Convert>
void convert_elements(std::span<const std::byte> bytes, std::vector<float>& out, Convert convert) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = convert(load<Element>(bytes.data() + i * sizeof(Element)));
  }
}

}  // namespace

float half_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
  const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
  const std::uint32_t mantissa = bits & 0x3FFu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign != 0 ? -magnitude : magnitude;
  }
  const std::uint32_t float_exponent = exponent == 0x1F ? 0xFFu : exponent + (127 - 15);
  return std::bit_cast<float>(sign | (float_exponent << 23) | (mantissa << 13));
}

float bf16_to_float(std::uint16_t bits) {
  return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

bool can_dequantize(TensorType type) {
  switch (type) {
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16:
    case TensorType::Q8_0:
    case TensorType::Q4_0:
    case TensorType::Q4_1:
      return true;
    default:
      return false;
  }
}

std::vector<float> dequantize(TensorType type, std::span<const std::byte> bytes,
                              std::uint64_t n_elements, std::string_view tensor_name) {
  const std::string name(tensor_name);
  if (!can_dequantize(type)) {
    throw InputError("tensor '" + name + "' has type " + tensor_type_name(type) +
                     ", which lockstep cannot dequantize (F32, F16, BF16, Q8_0, Q4_0, Q4_1)");
  }
  const BlockLayout layout = *block_layout(type);
  if (n_elements % layout.elements != 0 ||
      bytes.size() != n_elements / layout.elements * layout.bytes) {
    throw InputError("tensor '" + name + "': " + std::to_string(bytes.size()) +
                     " bytes do not hold " + std::to_string(n_elements) + " elements of " +
                     tensor_type_name(type));
  }
  std::vector<float> out(n_elements);
  switch (type) {
    case TensorType::F32:
      convert_elements<float>(bytes, out, [](float v) { return v; });
      break;
    case TensorType::F16:
      convert_elements<std::uint16_t>(bytes, out, half_to_float);
      break;
    case TensorType::BF16:
      convert_elements<std::uint16_t>(bytes, out, bf16_to_float);
      break;
    case TensorType::Q8_0:
      expand_blocks<BlockQ8_0>(bytes, out);
      break;
    case TensorType::Q4_0:
      expand_blocks<BlockQ4_0>(bytes, out);
      break;
    case TensorType::Q4_1:
      expand_blocks<BlockQ4_1>(bytes, out);
      break;
    default:
      break;  // refused above
  }
  return out;
}

}  // namespace lockstep::gguf
