// File's metadata getters: lookup by key and strictly typed access (no conversions except
// get_uint's, which accepts any integer type holding a non-negative value).
#include <type_traits>

#include "gguf/file.h"
#include "sim/error.h"

namespace lockstep::gguf {
namespace {

// The ValueType whose alternative in Value::Data is T.
template <typename T, std::size_t I = 0>
constexpr ValueType value_type_of() {
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Value::Data>>) {
    return static_cast<ValueType>(I);
  } else {
    return value_type_of<T, I + 1>();
  }
}

}  // namespace

std::vector<std::string> File::keys() const {
  std::vector<std::string> names;
  names.reserve(metadata_.size());
  for (const auto& [key, value] : metadata_) names.push_back(key);
  return names;
}

const Value* File::find(std::string_view key) const {
  const auto it = key_index_.find(key);
  return it == key_index_.end() ? nullptr : &metadata_[it->second].second;
}

const Value& File::get(std::string_view key) const {
  const Value* value = find(key);
  if (value == nullptr) {
    throw InputError(origin_ + ": metadata key '" + std::string(key) + "' is missing");
  }
  return *value;
}

template <typename T>
const T* File::find_as(std::string_view key) const {
  const Value* value = find(key);
  if (value == nullptr) return nullptr;
  const T* typed = std::get_if<T>(&value->data);
  if (typed == nullptr) {
    throw InputError(origin_ + ": metadata key '" + std::string(key) + "' should be " +
                     value_type_name(value_type_of<T>()) + " but is " + value->type_name());
  }
  return typed;
}

template <typename T>
const T& File::get_as(std::string_view key) const {
  get(key);  // the "missing" error
  return *find_as<T>(key);
}

template <typename T>
std::vector<T> File::get_array_of(std::string_view key) const {
  const Array& array = get_as<Array>(key);
  if (array.element_type != value_type_of<T>()) {
    throw InputError(origin_ + ": metadata key '" + std::string(key) + "' should be array of " +
                     value_type_name(value_type_of<T>()) + " but is " + get(key).type_name());
  }
  std::vector<T> items;
  items.reserve(array.items.size());
  for (const Value& item : array.items) items.push_back(std::get<T>(item.data));
  return items;
}

std::uint8_t File::get_u8(std::string_view key) const {
  return get_as<std::uint8_t>(key);
}
std::int8_t File::get_i8(std::string_view key) const {
  return get_as<std::int8_t>(key);
}
std::uint16_t File::get_u16(std::string_view key) const {
  return get_as<std::uint16_t>(key);
}
std::int16_t File::get_i16(std::string_view key) const {
  return get_as<std::int16_t>(key);
}
std::uint32_t File::get_u32(std::string_view key) const {
  return get_as<std::uint32_t>(key);
}
std::int32_t File::get_i32(std::string_view key) const {
  return get_as<std::int32_t>(key);
}
std::uint64_t File::get_u64(std::string_view key) const {
  return get_as<std::uint64_t>(key);
}
std::int64_t File::get_i64(std::string_view key) const {
  return get_as<std::int64_t>(key);
}
float File::get_f32(std::string_view key) const {
  return get_as<float>(key);
}
double File::get_f64(std::string_view key) const {
  return get_as<double>(key);
}
bool File::get_bool(std::string_view key) const {
  return get_as<bool>(key);
}
const std::string& File::get_string(std::string_view key) const {
  return get_as<std::string>(key);
}

std::uint64_t File::get_uint(std::string_view key) const {
  const Value& value = get(key);
  return std::visit(
      [&](const auto& held) -> std::uint64_t {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if (held >= 0) return static_cast<std::uint64_t>(held);
          throw InputError(origin_ + ": metadata key '" + std::string(key) + "' is " +
                           std::to_string(held) + ", expected a non-negative integer");
        } else {
          throw InputError(origin_ + ": metadata key '" + std::string(key) +
                           "' should be an integer but is " + value.type_name());
        }
      },
      value.data);
}

std::vector<std::string> File::get_string_array(std::string_view key) const {
  return get_array_of<std::string>(key);
}
std::vector<std::int32_t> File::get_i32_array(std::string_view key) const {
  return get_array_of<std::int32_t>(key);
}
std::vector<std::uint32_t> File::get_u32_array(std::string_view key) const {
  return get_array_of<std::uint32_t>(key);
}
std::vector<float> File::get_f32_array(std::string_view key) const {
  return get_array_of<float>(key);
}
std::size_t File::array_size(std::string_view key) const {
  return get_as<Array>(key).items.size();
}

template <typename T>
static std::optional<T> optional_of(const T* value) {
  return value == nullptr ? std::nullopt : std::optional<T>(*value);
}

std::optional<std::uint32_t> File::find_u32(std::string_view key) const {
  return optional_of(find_as<std::uint32_t>(key));
}
std::optional<std::int32_t> File::find_i32(std::string_view key) const {
  return optional_of(find_as<std::int32_t>(key));
}
std::optional<float> File::find_f32(std::string_view key) const {
  return optional_of(find_as<float>(key));
}
std::optional<bool> File::find_bool(std::string_view key) const {
  return optional_of(find_as<bool>(key));
}
std::optional<std::string> File::find_string(std::string_view key) const {
  return optional_of(find_as<std::string>(key));
}
std::optional<std::uint64_t> File::find_uint(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return get_uint(key);
}

}  // namespace lockstep::gguf
