// Test helper for tests/tools/gguf_crosscheck.py: prints what lockstep's GGUF reader sees, in
// a form the Python side can compare with the PyPI `gguf` package exactly.
//   gguf_dump PATH meta     one JSON object per line: every metadata entry (strings as hex of
//                           their bytes, floats as their bit patterns), then every tensor info
//   gguf_dump PATH floats   every tensor dequantized, float32 little-endian, in file order
// Exit 2 with the reader's message on a bad file.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "gguf/gguf.h"
#include "sim/error.h"

namespace {

using namespace lockstep::gguf;
using nlohmann::json;

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

json value_json(const Value& value) {
  return std::visit(
      [](const auto& held) -> json {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return hex(held);
        } else if constexpr (std::is_same_v<T, Array>) {
          json items = json::array();
          for (const Value& item : held.items) items.push_back(value_json(item));
          return items;
        } else if constexpr (std::is_same_v<T, float>) {
          std::uint32_t bits;
          std::memcpy(&bits, &held, 4);
          return bits;
        } else if constexpr (std::is_same_v<T, double>) {
          std::uint64_t bits;
          std::memcpy(&bits, &held, 8);
          return bits;
        } else {
          return held;
        }
      },
      value.data);
}

void print_meta(const File& file) {
  for (const auto& [key, value] : file.metadata()) {
    std::cout << json{{"key", key}, {"type", value.type_name()}, {"value", value_json(value)}}
              << "\n";
  }
  for (const TensorInfo& info : file.tensors()) {
    std::cout << json{{"tensor", info.name},
                      {"type", tensor_type_name(info.type)},
                      {"dims", info.dims},
                      {"offset", info.offset},
                      {"n_bytes", info.n_bytes}}
              << "\n";
  }
  std::cout << json{{"alignment", file.alignment()}, {"data_offset", file.data_offset()}} << "\n";
}

void print_floats(const File& file) {
  for (const TensorInfo& info : file.tensors()) {
    const std::vector<float> values = file.dequantize(info);
    std::fwrite(values.data(), sizeof(float), values.size(), stdout);
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[2]) != "meta" && std::string(argv[2]) != "floats")) {
    std::cerr << "usage: gguf_dump PATH meta|floats\n";
    return 2;
  }
  try {
    const File file(argv[1]);
    if (std::string(argv[2]) == "meta") {
      print_meta(file);
    } else {
      print_floats(file);
    }
  } catch (const lockstep::InputError& e) {
    std::cerr << "gguf_dump: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
