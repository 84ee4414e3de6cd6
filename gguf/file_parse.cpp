// File::parse: the GGUF v3 layout, read through the checked cursor (cursor.h):
//   "GGUF" | uint32 version | uint64 n_tensors | uint64 n_kv | n_kv x (key, type, value)
//   | n_tensors x (name, uint32 n_dims, n_dims x uint64, uint32 type, uint64 offset)
//   | padding to general.alignment | data section
// Counts are checked against the bytes left before anything is allocated, so a corrupt count
// cannot make the reader allocate gigabytes.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "gguf/cursor.h"
#include "gguf/file.h"

namespace lockstep::gguf {
namespace {

using detail::Cursor;

constexpr std::uint32_t kVersion = 3;
constexpr int kMaxArrayDepth = 4;      // nested arrays deeper than this are refused
constexpr std::uint32_t kMaxDims = 4;  // GGML_MAX_DIMS

// The fewest bytes one value of `type` takes in the file (for count sanity checks).
std::uint64_t min_value_bytes(ValueType type) {
  switch (type) {
    case ValueType::UInt8:
    case ValueType::Int8:
    case ValueType::Bool:
      return 1;
    case ValueType::UInt16:
    case ValueType::Int16:
      return 2;
    case ValueType::UInt32:
    case ValueType::Int32:
    case ValueType::Float32:
      return 4;
    case ValueType::UInt64:
    case ValueType::Int64:
    case ValueType::Float64:
    case ValueType::String:
      return 8;
    case ValueType::Array:
      return 12;
  }
  return 1;
}

ValueType read_value_type(Cursor& cursor, const std::string& field) {
  const auto raw = cursor.read<std::uint32_t>(field);
  if (raw > static_cast<std::uint32_t>(ValueType::Float64)) {
    cursor.fail(field + " is " + std::to_string(raw) + ", not a GGUF value type (0..12)");
  }
  return static_cast<ValueType>(raw);
}

Value read_value(Cursor& cursor, ValueType type, const std::string& field, int depth);

Array read_array(Cursor& cursor, const std::string& field, int depth) {
  if (depth >= kMaxArrayDepth) {
    cursor.fail(field + ": arrays nested deeper than " + std::to_string(kMaxArrayDepth));
  }
  Array array;
  array.element_type = read_value_type(cursor, field + " (element type)");
  const auto count = cursor.read<std::uint64_t>(field + " (element count)");
  std::uint64_t least = 0;
  if (!detail::mul_ok(count, min_value_bytes(array.element_type), least) ||
      least > cursor.remaining()) {
    cursor.fail(field + ": " + std::to_string(count) + " elements of " +
                value_type_name(array.element_type) + " cannot fit in the " +
                std::to_string(cursor.remaining()) + " bytes left");
  }
  array.items.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    array.items.push_back(
        read_value(cursor, array.element_type, field + "[" + std::to_string(i) + "]", depth + 1));
  }
  return array;
}

Value read_value(Cursor& cursor, ValueType type, const std::string& field, int depth) {
  switch (type) {
    case ValueType::UInt8:
      return {cursor.read<std::uint8_t>(field)};
    case ValueType::Int8:
      return {cursor.read<std::int8_t>(field)};
    case ValueType::UInt16:
      return {cursor.read<std::uint16_t>(field)};
    case ValueType::Int16:
      return {cursor.read<std::int16_t>(field)};
    case ValueType::UInt32:
      return {cursor.read<std::uint32_t>(field)};
    case ValueType::Int32:
      return {cursor.read<std::int32_t>(field)};
    case ValueType::Float32:
      return {cursor.read<float>(field)};
    case ValueType::Bool: {
      const auto raw = cursor.read<std::uint8_t>(field);
      if (raw > 1) cursor.fail(field + ": bool byte is " + std::to_string(raw) + ", not 0 or 1");
      return {raw == 1};
    }
    case ValueType::String:
      return {cursor.read_string(field)};
    case ValueType::Array:
      return {read_array(cursor, field, depth)};
    case ValueType::UInt64:
      return {cursor.read<std::uint64_t>(field)};
    case ValueType::Int64:
      return {cursor.read<std::int64_t>(field)};
    case ValueType::Float64:
      return {cursor.read<double>(field)};
  }
  cursor.fail(field + ": unknown value type");
}

void check_version(Cursor& cursor, std::uint32_t version) {
  if (version == kVersion) return;
  if (version == 1 || version == 2) {
    cursor.fail("GGUF version " + std::to_string(version) +
                " is not supported (only version 3; re-convert the model with a current "
                "llama.cpp)");
  }
  if (version == (kVersion << 24)) {
    cursor.fail("GGUF version field is byte-swapped: big-endian GGUF files are not supported");
  }
  cursor.fail("unknown GGUF version " + std::to_string(version) + " (only version 3)");
}

std::uint64_t alignment_of(const Cursor& cursor, const Value* value) {
  if (value == nullptr) return 32;
  const auto* alignment = std::get_if<std::uint32_t>(&value->data);
  if (alignment == nullptr) {
    cursor.fail("general.alignment must be uint32, is " + value->type_name());
  }
  if (*alignment == 0 || (*alignment & (*alignment - 1)) != 0) {
    cursor.fail("general.alignment is " + std::to_string(*alignment) + ", not a power of two");
  }
  return *alignment;
}

TensorInfo read_tensor_info(Cursor& cursor, std::uint64_t index, std::uint64_t alignment) {
  TensorInfo info;
  info.name = cursor.read_string("name of tensor " + std::to_string(index));
  const std::string field = "tensor '" + info.name + "'";
  const auto n_dims = cursor.read<std::uint32_t>(field + " dimension count");
  if (n_dims == 0 || n_dims > kMaxDims) {
    cursor.fail(field + " has " + std::to_string(n_dims) + " dimensions (1.." +
                std::to_string(kMaxDims) + ")");
  }
  info.n_elements = 1;
  for (std::uint32_t d = 0; d < n_dims; ++d) {
    info.dims.push_back(cursor.read<std::uint64_t>(field + " dimension " + std::to_string(d)));
    if (info.dims.back() > static_cast<std::uint64_t>(INT64_MAX) ||
        !detail::mul_ok(info.n_elements, info.dims.back(), info.n_elements) ||
        info.n_elements > static_cast<std::uint64_t>(INT64_MAX)) {
      cursor.fail(field + " shape " + dims_string(info.dims) + " overflows");
    }
  }
  const auto raw_type = cursor.read<std::uint32_t>(field + " type");
  info.type = static_cast<TensorType>(raw_type);
  const std::optional<BlockLayout> layout = block_layout(info.type);
  if (!layout) cursor.fail(field + " has unknown ggml type " + std::to_string(raw_type));
  if (info.dims[0] % layout->elements != 0) {
    cursor.fail(field + " of type " + tensor_type_name(info.type) + " has rows of " +
                std::to_string(info.dims[0]) + " elements, not a multiple of its block of " +
                std::to_string(layout->elements));
  }
  if (!detail::mul_ok(info.n_elements / layout->elements, layout->bytes, info.n_bytes)) {
    cursor.fail(field + " byte size overflows");
  }
  info.offset = cursor.read<std::uint64_t>(field + " offset");
  if (info.offset % alignment != 0) {
    cursor.fail(field + " offset " + std::to_string(info.offset) +
                " is not a multiple of the alignment " + std::to_string(alignment));
  }
  return info;
}

}  // namespace

void File::parse_tensor_infos(detail::Cursor& cursor, std::uint64_t n_tensors) {
  tensors_.reserve(n_tensors);
  for (std::uint64_t i = 0; i < n_tensors; ++i) {
    TensorInfo info = read_tensor_info(cursor, i, alignment_);
    if (!tensor_index_.emplace(info.name, tensors_.size()).second) {
      cursor.fail("duplicate tensor name '" + info.name + "'");
    }
    tensors_.push_back(std::move(info));
  }
  // The data section starts at the next multiple of the alignment (alignment <= 2^32, the
  // position < 2^64 - 2^32 in any file that exists, but checked all the same).
  std::uint64_t padded = 0;
  if (!detail::add_ok(cursor.position(), alignment_ - 1, padded))
    cursor.fail("data offset overflows");
  data_offset_ = padded / alignment_ * alignment_;
  if (tensors_.empty()) return;  // no data section to check (writers may omit the padding)
  if (data_offset_ > size_) {
    cursor.fail("truncated: the data section would start at byte " + std::to_string(data_offset_) +
                ", past the end (" + std::to_string(size_) + ")");
  }
  const std::uint64_t data_size = size_ - data_offset_;
  for (const TensorInfo& info : tensors_) {
    std::uint64_t end = 0;
    if (!detail::add_ok(info.offset, info.n_bytes, end) || end > data_size) {
      cursor.fail("truncated: tensor '" + info.name + "' (" + std::to_string(info.n_bytes) +
                  " bytes at data offset " + std::to_string(info.offset) +
                  ") runs past the data section's " + std::to_string(data_size) + " bytes");
    }
  }
}

void File::parse() {
  Cursor cursor(bytes(), origin_);
  const auto magic = cursor.read<std::array<char, 4>>("magic");
  if (std::string(magic.data(), 4) != "GGUF") {
    cursor.fail("not a GGUF file: the magic is '" + std::string(magic.data(), 4) +
                "', expected 'GGUF'");
  }
  version_ = cursor.read<std::uint32_t>("version");
  check_version(cursor, version_);
  const auto n_tensors = cursor.read<std::uint64_t>("tensor count");
  const auto n_kv = cursor.read<std::uint64_t>("metadata count");
  // A key/value pair takes >= 8 + 1 + 4 + 1 bytes, a tensor info >= 8 + 4 + 8 + 4 + 8.
  std::uint64_t least_kv = 0, least_tensors = 0, least = 0;
  if (!detail::mul_ok(n_kv, 14, least_kv) || !detail::mul_ok(n_tensors, 32, least_tensors) ||
      !detail::add_ok(least_kv, least_tensors, least) || least > cursor.remaining()) {
    cursor.fail(std::to_string(n_kv) + " metadata entries and " + std::to_string(n_tensors) +
                " tensors cannot fit in the " + std::to_string(cursor.remaining()) + " bytes left");
  }
  metadata_.reserve(n_kv);
  for (std::uint64_t i = 0; i < n_kv; ++i) {
    std::string key = cursor.read_string("key of metadata entry " + std::to_string(i));
    const ValueType type = read_value_type(cursor, "value type of " + key);
    Value value = read_value(cursor, type, key, 0);
    if (!key_index_.emplace(key, metadata_.size()).second) {
      cursor.fail("duplicate metadata key '" + key + "'");
    }
    metadata_.emplace_back(std::move(key), std::move(value));
  }
  alignment_ = alignment_of(cursor, find("general.alignment"));
  parse_tensor_infos(cursor, n_tensors);
}

}  // namespace lockstep::gguf
