// The one checked cursor every byte of a GGUF file is read through (internal to gguf/): each
// read first checks that the bytes are there and throws InputError naming the origin, the
// field and the byte offset otherwise. Little-endian host only (static_assert), as GGUF v3
// files are little-endian. Also overflow-safe arithmetic helpers for sizes and offsets.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

#include "sim/error.h"

namespace lockstep::gguf::detail {

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader assumes a little-endian host");

// a * b, or false when it overflows.
inline bool mul_ok(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}
inline bool add_ok(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  return !__builtin_add_overflow(a, b, &out);
}

class Cursor {
 public:
  Cursor(std::span<const std::byte> bytes, const std::string& origin)
      : bytes_(bytes), origin_(origin) {}

  std::uint64_t position() const { return position_; }
  std::uint64_t remaining() const { return bytes_.size() - position_; }

  [[noreturn]] void fail(std::string_view what) const {
    throw InputError(origin_ + ": " + std::string(what));
  }

  // Throws unless `n` more bytes are there.
  void need(std::uint64_t n, std::string_view field) const {
    if (n > remaining()) {
      fail("truncated: " + std::string(field) + " at byte " + std::to_string(position_) +
           " needs " + std::to_string(n) + " bytes, " + std::to_string(remaining()) + " left");
    }
  }

  template <typename T>
  requires std::is_trivially_copyable_v<T> T read(std::string_view field) {
    need(sizeof(T), field);
    T value;
    std::memcpy(&value, bytes_.data() + position_, sizeof(T));
    position_ += sizeof(T);
    return value;
  }

  // A GGUF string: uint64 length, then that many bytes (not NUL-terminated).
  std::string read_string(std::string_view field) {
    const auto length = read<std::uint64_t>(std::string(field) + " (length)");
    need(length, field);
    std::string text(reinterpret_cast<const char*>(bytes_.data() + position_), length);
    position_ += length;
    return text;
  }

 private:
  std::span<const std::byte> bytes_;
  const std::string& origin_;
  std::uint64_t position_ = 0;
};

}  // namespace lockstep::gguf::detail
