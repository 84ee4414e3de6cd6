// GGUF metadata values: the thirteen value types of the GGUF v3 format (docs/gguf.md of
// ggml) held as a tagged value. Arrays keep their element type, so an empty array is still
// typed. This header only describes values; reading them from bytes is file.cpp's job.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace lockstep::gguf {

// The numbering is the file format's: the value written before each key's payload.
enum class ValueType : std::uint32_t {
  UInt8 = 0,
  Int8 = 1,
  UInt16 = 2,
  Int16 = 3,
  UInt32 = 4,
  Int32 = 5,
  Float32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  UInt64 = 10,
  Int64 = 11,
  Float64 = 12,
};

// "uint32", "string", "array", ...; "type <n>" for a number outside the format.
std::string value_type_name(ValueType type);

struct Value;

// An array of one element type. Nested arrays (element type Array) are read too.
struct Array {
  ValueType element_type = ValueType::UInt8;
  std::vector<Value> items;
};

struct Value {
  // The alternatives are in ValueType order, so data.index() == the type's number.
  using Data = std::variant<std::uint8_t, std::int8_t, std::uint16_t, std::int16_t, std::uint32_t,
                            std::int32_t, float, bool, std::string, Array, std::uint64_t,
                            std::int64_t, double>;
  Data data;

  ValueType type() const { return static_cast<ValueType>(data.index()); }
  // "uint32", or "array of string" for arrays.
  std::string type_name() const;
};

}  // namespace lockstep::gguf
