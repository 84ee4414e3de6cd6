// libFuzzer target: the GGUF reader (gguf::File::from_bytes) on arbitrary bytes, then
// everything a caller may read: every metadata value, every tensor's bytes and dequantized
// floats, and llama_hparams. Contract checked: an input is either read or rejected with an
// InputError whose message starts with the origin ("fuzz.gguf: "); any other exception, a
// crash, a sanitizer report or a hang is a bug. Built by tests/fuzz/build-and-run.sh; the
// seed corpus (tests/fuzz/corpus/gguf) is made by tests/tools/gguf_corpus.cpp.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gguf/gguf.h"
#include "sim/error.h"

namespace {

void require_named(const lockstep::InputError& e) {
  if (std::string(e.what()).rfind("fuzz.gguf: ", 0) != 0) {
    std::fprintf(stderr, "error does not name the file: %s\n", e.what());
    std::abort();
  }
}

// Reads every value (strings and arrays included) so a bad one would surface here.
std::size_t touch(const lockstep::gguf::Value& value) {
  return std::visit(
      [](const auto& held) -> std::size_t {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, lockstep::gguf::Array>) {
          std::size_t sum = 0;
          for (const auto& item : held.items) sum += touch(item);
          return sum;
        } else if constexpr (std::is_same_v<T, std::string>) {
          return held.size();
        } else {
          return static_cast<std::size_t>(held != T{});
        }
      },
      value.data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto* bytes = reinterpret_cast<const std::byte*>(data);
  try {
    const auto file =
        lockstep::gguf::File::from_bytes(std::vector<std::byte>(bytes, bytes + size), "fuzz.gguf");
    volatile std::size_t sink = 0;
    for (const auto& [key, value] : file.metadata()) sink = sink + touch(value) + key.size();
    for (const auto& info : file.tensors()) {
      sink = sink + file.tensor_bytes(info).size();
      try {
        sink = sink + file.dequantize(info).size();
      } catch (const lockstep::InputError& e) {
        require_named(e);  // a type lockstep does not dequantize
      }
    }
    try {
      sink = sink + lockstep::gguf::llama_hparams(file).n_layers;
    } catch (const lockstep::InputError& e) {
      require_named(e);
    }
  } catch (const lockstep::InputError& e) {
    require_named(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception (not a clear InputError): %s\n", e.what());
    std::abort();
  }
  return 0;
}
