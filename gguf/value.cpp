#include "gguf/value.h"

#include <array>

namespace lockstep::gguf {

std::string value_type_name(ValueType type) {
  static constexpr std::array<const char*, 13> kNames{
      "uint8", "int8",   "uint16", "int16",  "uint32", "int32",  "float32",
      "bool",  "string", "array",  "uint64", "int64",  "float64"};
  const auto index = static_cast<std::uint32_t>(type);
  if (index < kNames.size()) return kNames[index];
  return "type " + std::to_string(index);
}

std::string Value::type_name() const {
  if (const auto* array = std::get_if<Array>(&data)) {
    return "array of " + value_type_name(array->element_type);
  }
  return value_type_name(type());
}

}  // namespace lockstep::gguf
