// Writes the fuzzer's seed corpus for fuzz_gguf (tests/fuzz/corpus/gguf) with the test-side
// GGUF writer: a valid tiny llama (tied and untied), every metadata value type, one tensor of
// each type lockstep dequantizes, a type it does not, and a non-default alignment (no .gguf
// suffix: model files are git-ignored, these are committed). Rerun after
// changing the writer:  build/default/bin/gguf_corpus tests/fuzz/corpus/gguf
#include <fstream>
#include <iostream>
#include <string>

#include "tests/gguf_writer.h"

namespace {

using namespace lockstep::gguf;
using testing::Writer;

void save(const std::string& dir, const std::string& name, const Writer& writer) {
  const std::vector<std::byte> bytes = writer.bytes();
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + dir + "/" + name);
}

Writer every_value_type() {
  Writer w;
  w.add("u8", {std::uint8_t{1}});
  w.add("i8", {std::int8_t{-1}});
  w.add("u16", {std::uint16_t{2}});
  w.add("i16", {std::int16_t{-2}});
  w.add("u32", {std::uint32_t{3}});
  w.add("i32", {std::int32_t{-3}});
  w.add("f32", {0.5f});
  w.add("bool", {true});
  w.add("string", {std::string("text")});
  w.add("u64", {std::uint64_t{4}});
  w.add("i64", {std::int64_t{-4}});
  w.add("f64", {0.25});
  w.add("strings", testing::string_array({"a", "bc"}));
  w.add("i32s", {Array{ValueType::Int32, {{std::int32_t{1}}, {std::int32_t{2}}}}});
  w.add("nested", {Array{ValueType::Array, {{Array{ValueType::UInt8, {{std::uint8_t{7}}}}}}}});
  return w;
}

Writer one_tensor(TensorType type) {
  Writer w;
  w.add("general.architecture", {std::string("llama")});
  w.add_tensor(testing::random_tensor("t", {64, 2}, type, 5));
  return w;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gguf_corpus DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  // Small enough for the fuzzer's 64 KiB inputs.
  testing::TinyLlama small;
  small.d_model = 32;
  small.ffn = 64;
  small.n_heads = 2;
  small.n_kv_heads = 1;
  small.vocab = 16;
  save(dir, "tiny_llama", testing::tiny_llama(small));
  small.tied = false;
  small.n_layers = 1;
  save(dir, "tiny_llama_untied", testing::tiny_llama(small));
  save(dir, "every_value_type", every_value_type());
  for (TensorType type : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q8_0,
                          TensorType::Q4_0, TensorType::Q4_1}) {
    save(dir, "tensor_" + tensor_type_name(type), one_tensor(type));
  }
  Writer unsupported;
  unsupported.add_tensor({"k", {256}, TensorType::Q4_K, std::vector<std::byte>(144)});
  save(dir, "tensor_Q4_K", unsupported);
  Writer aligned = one_tensor(TensorType::Q8_0);
  aligned.alignment = 64;
  aligned.add("general.alignment", {std::uint32_t{64}});
  save(dir, "alignment_64", aligned);
  return 0;
}
