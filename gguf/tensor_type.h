// The ggml tensor types a GGUF file may name, with each type's block layout (elements per
// block, bytes per block) so any tensor's byte size can be bounds-checked, whether or not
// lockstep can dequantize it. Which types dequantize.h converts is said there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lockstep::gguf {

// ggml's numbering (ggml.h enum ggml_type); 4 and 5 were retired by ggml.
enum class TensorType : std::uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
};

struct BlockLayout {
  std::uint64_t elements = 1;  // elements per block (a row's length must be a multiple)
  std::uint64_t bytes = 1;     // bytes per block
};

// The layout of a known type; nullopt for a number ggml does not define.
std::optional<BlockLayout> block_layout(TensorType type);
// "Q4_1", "F32", ...; "type <n>" for an unknown number.
std::string tensor_type_name(TensorType type);

}  // namespace lockstep::gguf
