// Tensor data to float32 for the types lockstep reads: F32, F16, BF16, Q8_0, Q4_0, Q4_1, with
// ggml's exact block formats (ggml-common.h) and the same float operations as ggml's
// reference dequantizers, so the result is bit-identical to ggml's and to gguf-py's:
//   Q8_0: fp16 d, 32 x int8 q              value = q * d
//   Q4_0: fp16 d, 16 bytes of nibbles      value = (q - 8) * d
//   Q4_1: fp16 d, fp16 m, 16 bytes         value = q * d + m
// In a 4-bit block, byte j's low nibble is element j and its high nibble element j + 16.
// Any other type is an InputError naming the type and the tensor. Does no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "gguf/tensor_type.h"

namespace lockstep::gguf {

bool can_dequantize(TensorType type);

// `bytes` must hold exactly n_elements of `type` (checked); `tensor_name` names errors.
std::vector<float> dequantize(TensorType type, std::span<const std::byte> bytes,
                              std::uint64_t n_elements, std::string_view tensor_name);

// IEEE half and bfloat16 to float: exact (every value, incl. subnormals, inf and NaN).
float half_to_float(std::uint16_t bits);
float bf16_to_float(std::uint16_t bits);

}  // namespace lockstep::gguf
