// A GGUF v3 file, read-only: the header, every metadata key/value pair, the tensor infos and
// the aligned data section, mapped with mmap and never copied (a tensor's bytes are a span
// into the mapping). Every length, count, offset and size is checked against the file's size
// with overflow-safe arithmetic while the file is opened, so a truncated or corrupt file is an
// InputError naming the field and the origin, never a crash; after construction all tensor
// spans are in bounds. Does not interpret what the metadata means (llama.h does that) and
// does not convert tensor data unless asked (dequantize, see dequantize.h for the types).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gguf/tensor_type.h"
#include "gguf/value.h"

namespace lockstep::gguf {
namespace detail {
class Cursor;
}

struct TensorInfo {
  std::string name;
  std::vector<std::uint64_t> dims;  // ggml order: dims[0] is contiguous (a row's length)
  TensorType type = TensorType::F32;
  std::uint64_t offset = 0;  // from the start of the data section; a multiple of alignment
  std::uint64_t n_elements = 0;
  std::uint64_t n_bytes = 0;
};

// "[576, 49152]"
std::string dims_string(const std::vector<std::uint64_t>& dims);

class File {
 public:
  // Maps `path` read-only. Throws InputError when it cannot be opened or is not a valid v3
  // GGUF file; the message starts with the path.
  explicit File(const std::string& path);
  // Reads a GGUF image held in memory (the bytes are owned by the File; used by the fuzzer and
  // the tests). `origin` names it in errors.
  static File from_bytes(std::vector<std::byte> bytes, std::string origin = "<memory>");

  const std::string& origin() const { return origin_; }
  std::uint32_t version() const { return version_; }
  std::uint64_t alignment() const { return alignment_; }  // general.alignment, default 32
  std::uint64_t data_offset() const { return data_offset_; }
  std::span<const std::byte> bytes() const { return {data_, size_}; }

  // --- metadata ---------------------------------------------------------------------------
  const std::vector<std::pair<std::string, Value>>& metadata() const { return metadata_; }
  std::vector<std::string> keys() const;  // in file order
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Value* find(std::string_view key) const;  // nullptr when absent
  const Value& get(std::string_view key) const;   // throws InputError naming the key

  // Typed getters: throw InputError naming the key when it is missing, or naming the key,
  // the expected and the actual type when it has another type. No conversions.
  std::uint8_t get_u8(std::string_view key) const;
  std::int8_t get_i8(std::string_view key) const;
  std::uint16_t get_u16(std::string_view key) const;
  std::int16_t get_i16(std::string_view key) const;
  std::uint32_t get_u32(std::string_view key) const;
  std::int32_t get_i32(std::string_view key) const;
  std::uint64_t get_u64(std::string_view key) const;
  std::int64_t get_i64(std::string_view key) const;
  float get_f32(std::string_view key) const;
  double get_f64(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  // Any integer type holding a value >= 0 (writers differ in the width they choose).
  std::uint64_t get_uint(std::string_view key) const;

  // Arrays: the key must hold an array of exactly that element type.
  std::vector<std::string> get_string_array(std::string_view key) const;
  std::vector<std::int32_t> get_i32_array(std::string_view key) const;
  std::vector<std::uint32_t> get_u32_array(std::string_view key) const;
  std::vector<float> get_f32_array(std::string_view key) const;
  // The array's element count, whatever its element type.
  std::size_t array_size(std::string_view key) const;

  // Optional variants: nullopt when the key is absent, InputError when present but mistyped.
  std::optional<std::uint32_t> find_u32(std::string_view key) const;
  std::optional<std::int32_t> find_i32(std::string_view key) const;
  std::optional<float> find_f32(std::string_view key) const;
  std::optional<bool> find_bool(std::string_view key) const;
  std::optional<std::string> find_string(std::string_view key) const;
  std::optional<std::uint64_t> find_uint(std::string_view key) const;

  // --- tensors ----------------------------------------------------------------------------
  const std::vector<TensorInfo>& tensors() const { return tensors_; }  // in file order
  const TensorInfo* find_tensor(std::string_view name) const;          // nullptr when absent
  const TensorInfo& tensor(std::string_view name) const;               // throws naming the name
  // The tensor's bytes inside the mapping (in bounds: checked when the file was opened).
  std::span<const std::byte> tensor_bytes(const TensorInfo& info) const;
  // The tensor as float32, in ggml element order. Types: see dequantize.h; any other type is
  // an InputError naming the type and the tensor.
  std::vector<float> dequantize(const TensorInfo& info) const;
  std::vector<float> dequantize(std::string_view name) const { return dequantize(tensor(name)); }

 private:
  File(std::shared_ptr<const void> owner, const std::byte* data, std::size_t size,
       std::string origin);
  void parse();
  void parse_tensor_infos(detail::Cursor& cursor, std::uint64_t n_tensors);
  template <typename T>
  const T& get_as(std::string_view key) const;
  template <typename T>
  const T* find_as(std::string_view key) const;
  template <typename T>
  std::vector<T> get_array_of(std::string_view key) const;

  std::shared_ptr<const void> owner_;  // keeps the mapping (or the owned bytes) alive
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
  std::string origin_;
  std::uint32_t version_ = 0;
  std::uint64_t alignment_ = 32;
  std::uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, Value>> metadata_;
  std::map<std::string, std::size_t, std::less<>> key_index_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, std::size_t, std::less<>> tensor_index_;
};

}  // namespace lockstep::gguf
