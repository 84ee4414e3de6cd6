// The GGUF reader (gguf/): files written byte by byte by tests/gguf_writer.h read back
// exactly; every metadata type; the dequantizers' exact formulas and nibble order; every
// truncation point and each corrupt field a clear InputError naming it; llama
// hyperparameters and their errors; and the real SmolLM2 file when it is in the cache.
#define BOOST_TEST_MODULE gguf
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>

#include "gguf/gguf.h"
#include "sim/error.h"
#include "tests/gguf_writer.h"
#include "tests/model_support.h"

using namespace lockstep;
using namespace lockstep::gguf;
using testing::Writer;

namespace {

File read(const Writer& w) {
  return File::from_bytes(w.bytes(), "mem.gguf");
}

// Runs `action`, requires an InputError whose message contains every one of `parts`.
template <typename Action>
void require_error(Action action, std::initializer_list<std::string> parts) {
  try {
    action();
  } catch (const InputError& e) {
    const std::string message = e.what();
    for (const std::string& part : parts) {
      BOOST_TEST(message.find(part) != std::string::npos,
                 "error '" << message << "' lacks '" << part << "'");
    }
    return;
  }
  BOOST_FAIL("no InputError (expected one mentioning " << *parts.begin() << ")");
}

Writer with_key(const std::string& key, Value value) {
  Writer w;
  w.add(key, std::move(value));
  return w;
}

}  // namespace

BOOST_AUTO_TEST_CASE(tiny_llama_round_trips) {
  const Writer w = testing::tiny_llama();
  const File f = read(w);
  BOOST_TEST(f.version() == 3u);
  BOOST_TEST(f.alignment() == 32u);
  BOOST_TEST(f.data_offset() % 32 == 0u);
  BOOST_TEST(f.metadata().size() == w.metadata.size());
  BOOST_TEST(f.keys().front() == "general.architecture");
  BOOST_REQUIRE(f.tensors().size() == w.tensors.size());
  for (std::size_t i = 0; i < w.tensors.size(); ++i) {
    const TensorInfo& info = f.tensors()[i];
    BOOST_TEST(info.name == w.tensors[i].name);
    BOOST_TEST(info.dims == w.tensors[i].dims);
    BOOST_TEST((info.type == w.tensors[i].type));
    const auto bytes = f.tensor_bytes(info);
    BOOST_TEST(
        std::equal(bytes.begin(), bytes.end(), w.tensors[i].data.begin(), w.tensors[i].data.end()));
    BOOST_TEST(f.dequantize(info).size() == info.n_elements);
    BOOST_TEST(&f.tensor(info.name) == &info);
  }
  BOOST_TEST(f.find_tensor("nope") == nullptr);
  require_error([&] { f.tensor("nope"); }, {"mem.gguf", "no tensor named 'nope'"});
}

BOOST_AUTO_TEST_CASE(every_metadata_type_reads_back) {
  Writer w;
  w.add("u8", {std::uint8_t{200}});
  w.add("i8", {std::int8_t{-100}});
  w.add("u16", {std::uint16_t{60000}});
  w.add("i16", {std::int16_t{-30000}});
  w.add("u32", {std::uint32_t{4000000000u}});
  w.add("i32", {std::int32_t{-2000000000}});
  w.add("f32", {0.1f});
  w.add("bool", {true});
  w.add("string", {std::string("h\xC3\xA9llo\n")});
  w.add("u64", {std::uint64_t{1} << 63});
  w.add("i64", {std::int64_t{-1} << 62});
  w.add("f64", {0.1});
  w.add("strings", testing::string_array({"a", "", "ccc"}));
  w.add("i32s", {Array{ValueType::Int32, {{std::int32_t{-1}}, {std::int32_t{7}}}}});
  w.add("u32s", {Array{ValueType::UInt32, {{std::uint32_t{3}}}}});
  w.add("f32s", {Array{ValueType::Float32, {{1.5f}, {-2.0f}}}});
  w.add("empty", {Array{ValueType::Float64, {}}});
  w.add("nested", {Array{ValueType::Array, {{Array{ValueType::Bool, {{false}, {true}}}}}}});
  const File f = read(w);
  BOOST_TEST(f.get_u8("u8") == 200);
  BOOST_TEST(f.get_i8("i8") == -100);
  BOOST_TEST(f.get_u16("u16") == 60000);
  BOOST_TEST(f.get_i16("i16") == -30000);
  BOOST_TEST(f.get_u32("u32") == 4000000000u);
  BOOST_TEST(f.get_i32("i32") == -2000000000);
  BOOST_TEST(f.get_f32("f32") == 0.1f);
  BOOST_TEST(f.get_bool("bool"));
  BOOST_TEST(f.get_string("string") == "h\xC3\xA9llo\n");
  BOOST_TEST(f.get_u64("u64") == std::uint64_t{1} << 63);
  BOOST_TEST(f.get_i64("i64") == std::int64_t{-1} << 62);
  BOOST_TEST(f.get_f64("f64") == 0.1);
  BOOST_TEST(f.get_uint("u16") == 60000u);
  BOOST_TEST((f.get_string_array("strings") == std::vector<std::string>{"a", "", "ccc"}));
  BOOST_TEST((f.get_i32_array("i32s") == std::vector<std::int32_t>{-1, 7}));
  BOOST_TEST((f.get_u32_array("u32s") == std::vector<std::uint32_t>{3}));
  BOOST_TEST((f.get_f32_array("f32s") == std::vector<float>{1.5f, -2.0f}));
  BOOST_TEST(f.array_size("empty") == 0u);
  BOOST_TEST(f.get("empty").type_name() == "array of float64");
  const auto& outer = std::get<Array>(f.get("nested").data);
  BOOST_TEST(std::get<bool>(std::get<Array>(outer.items.at(0).data).items.at(1).data));
  BOOST_TEST(f.find_u32("u32").value() == 4000000000u);
  BOOST_TEST(!f.find_u32("absent").has_value());
  BOOST_TEST(!f.find_string("absent").has_value());
  BOOST_TEST(f.keys().size() == 18u);
}

BOOST_AUTO_TEST_CASE(getters_name_the_key_and_both_types) {
  const File f = read(with_key("llama.block_count", {std::string("thirty")}));
  require_error([&] { f.get_u32("llama.block_count"); },
                {"mem.gguf", "'llama.block_count'", "should be uint32", "is string"});
  require_error([&] { f.find_u32("llama.block_count"); }, {"should be uint32"});
  require_error([&] { f.get_uint("llama.block_count"); }, {"should be an integer"});
  require_error([&] { f.get_f32("missing.key"); }, {"'missing.key' is missing"});
  require_error([&] { f.get_string_array("llama.block_count"); }, {"is string"});
  const File g = read(with_key("ids", {Array{ValueType::UInt32, {}}}));
  require_error([&] { g.get_i32_array("ids"); }, {"'ids'", "array of int32", "array of uint32"});
  const File h = read(with_key("neg", {std::int32_t{-3}}));
  require_error([&] { h.get_uint("neg"); }, {"'neg' is -3", "non-negative"});
}

BOOST_AUTO_TEST_CASE(half_and_bfloat16_convert_exactly) {
  BOOST_TEST(half_to_float(0x3C00) == 1.0f);
  BOOST_TEST(half_to_float(0xC000) == -2.0f);
  BOOST_TEST(half_to_float(0x7BFF) == 65504.0f);
  BOOST_TEST(half_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
  BOOST_TEST(half_to_float(0x03FF) == std::ldexp(1023.0f, -24));
  BOOST_TEST(std::signbit(half_to_float(0x8000)));
  BOOST_TEST(std::isinf(half_to_float(0x7C00)));
  BOOST_TEST(std::isnan(half_to_float(0x7E00)));
  BOOST_TEST(bf16_to_float(0x3F80) == 1.0f);
  BOOST_TEST(bf16_to_float(0xC040) == -3.0f);
}

BOOST_AUTO_TEST_CASE(quant_blocks_follow_ggml_formulas_and_nibble_order) {
  testing::ByteSink q8, q4_0, q4_1;
  q8.put<std::uint16_t>(0x3800);  // d = 0.5
  for (int j = 0; j < 32; ++j) q8.put<std::int8_t>(static_cast<std::int8_t>(j * 8 - 128));
  q4_0.put<std::uint16_t>(0x4000);  // d = 2
  q4_1.put<std::uint16_t>(0x3400);  // d = 0.25
  q4_1.put<std::uint16_t>(0xBC00);  // m = -1
  for (int j = 0; j < 16; ++j) {
    // low nibble j, high nibble 15 - j
    const auto byte = static_cast<std::uint8_t>(j | (15 - j) << 4);
    q4_0.put<std::uint8_t>(byte);
    q4_1.put<std::uint8_t>(byte);
  }
  const auto v8 = dequantize(TensorType::Q8_0, q8.bytes, 32, "q8");
  const auto v40 = dequantize(TensorType::Q4_0, q4_0.bytes, 32, "q40");
  const auto v41 = dequantize(TensorType::Q4_1, q4_1.bytes, 32, "q41");
  for (int j = 0; j < 32; ++j) BOOST_TEST(v8[j] == static_cast<float>(j * 8 - 128) * 0.5f);
  for (int j = 0; j < 16; ++j) {
    BOOST_TEST(v40[j] == static_cast<float>(j - 8) * 2.0f);
    BOOST_TEST(v40[j + 16] == static_cast<float>(15 - j - 8) * 2.0f);
    BOOST_TEST(v41[j] == static_cast<float>(j) * 0.25f - 1.0f);
    BOOST_TEST(v41[j + 16] == static_cast<float>(15 - j) * 0.25f - 1.0f);
  }
  require_error([&] { dequantize(TensorType::Q4_1, q4_1.bytes, 64, "short"); },
                {"'short'", "20 bytes do not hold 64 elements of Q4_1"});
}

BOOST_AUTO_TEST_CASE(unsupported_tensor_type_names_type_and_tensor) {
  Writer w;
  w.add_tensor({"blk.0.ffn_up.weight", {256}, TensorType::Q4_K, std::vector<std::byte>(144)});
  const File f = read(w);  // readable: Q4_K's block size is known
  BOOST_TEST(f.tensors().at(0).n_bytes == 144u);
  require_error([&] { f.dequantize("blk.0.ffn_up.weight"); },
                {"mem.gguf", "'blk.0.ffn_up.weight'", "Q4_K", "cannot dequantize"});
  Writer unknown;
  unknown.add_tensor({"x", {32}, static_cast<TensorType>(200), std::vector<std::byte>(32)});
  require_error([&] { read(unknown); }, {"tensor 'x'", "unknown ggml type 200"});
}

BOOST_AUTO_TEST_CASE(every_truncation_point_is_a_clear_error) {
  testing::TinyLlama small;
  small.n_layers = 1;
  small.vocab = 4;
  const std::vector<std::byte> full = testing::tiny_llama(small).bytes();
  BOOST_REQUIRE_NO_THROW(File::from_bytes(full));
  // The last tensor ends before the final padding; cuts inside that padding are still valid.
  const File whole = File::from_bytes(full);
  const TensorInfo& last = whole.tensors().back();
  const std::size_t valid_from = whole.data_offset() + last.offset + last.n_bytes;
  for (std::size_t size = 0; size < valid_from; ++size) {
    std::vector<std::byte> cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    try {
      File::from_bytes(std::move(cut), "cut.gguf");
      BOOST_FAIL("a file cut at " << size << " of " << full.size() << " bytes was accepted");
    } catch (const InputError& e) {
      const std::string m = e.what();
      const bool clear =
          m.rfind("cut.gguf: ", 0) == 0 &&
          (m.find("truncated") != std::string::npos || m.find("cannot fit") != std::string::npos);
      if (!clear) BOOST_FAIL("cut at " << size << ": unclear error '" << m << "'");
    }
  }
}

BOOST_AUTO_TEST_CASE(corrupt_header_fields_are_named) {
  Writer w;
  w.magic = "GGML";
  require_error([&] { read(w); }, {"not a GGUF file", "'GGML'"});
  for (std::uint32_t old : {1u, 2u}) {
    w = Writer{};
    w.version = old;
    require_error([&] { read(w); }, {"GGUF version " + std::to_string(old), "only version 3"});
  }
  w.version = 3u << 24;
  require_error([&] { read(w); }, {"big-endian"});
  w.version = 4;
  require_error([&] { read(w); }, {"unknown GGUF version 4"});
  for (std::uint32_t bad : {0u, 3u, 48u}) {
    require_error([&] { read(with_key("general.alignment", {bad})); },
                  {"general.alignment is " + std::to_string(bad), "power of two"});
  }
  require_error([&] { read(with_key("general.alignment", {std::uint64_t{32}})); },
                {"general.alignment must be uint32, is uint64"});
  Writer dup = with_key("k", {true});
  dup.add("k", {false});
  require_error([&] { read(dup); }, {"duplicate metadata key 'k'"});
}

BOOST_AUTO_TEST_CASE(corrupt_bytes_in_place_are_named) {
  // Patch single fields of a valid file: value type, bool byte, counts, dims, offsets.
  Writer w = with_key("flag", {true});
  w.add_tensor(testing::random_tensor("t", {64}, TensorType::Q8_0, 9));
  const std::vector<std::byte> good = w.bytes();
  auto patched = [&](std::size_t at, std::vector<std::uint8_t> values) {
    std::vector<std::byte> bytes = good;
    for (std::size_t i = 0; i < values.size(); ++i) bytes.at(at + i) = std::byte{values[i]};
    return File::from_bytes(std::move(bytes), "patched.gguf");
  };
  const std::size_t kv = 24, value_type = kv + 8 + 4, bool_byte = value_type + 4;
  const std::size_t tensor = bool_byte + 1, n_dims = tensor + 8 + 1, dim0 = n_dims + 4;
  const std::size_t type = dim0 + 8, offset = type + 4;
  require_error([&] { patched(value_type, {13}); }, {"value type of flag is 13"});
  require_error([&] { patched(bool_byte, {2}); }, {"flag: bool byte is 2"});
  require_error([&] { patched(16, {0xFF, 0xFF}); }, {"metadata entries", "cannot fit"});
  require_error([&] { patched(n_dims, {5}); }, {"tensor 't' has 5 dimensions"});
  require_error([&] { patched(n_dims, {0}); }, {"tensor 't' has 0 dimensions"});
  require_error([&] { patched(dim0, {33}); }, {"rows of 33 elements", "block of 32"});
  require_error([&] { patched(dim0, {0, 1}); }, {"truncated", "tensor 't'"});
  require_error([&] { patched(dim0 + 7, {0x80}); }, {"tensor 't' shape", "overflows"});
  require_error([&] { patched(type, {0}); }, {"truncated", "tensor 't'"});  // F32: 256 bytes
  require_error([&] { patched(offset, {16}); }, {"offset 16", "alignment 32"});
  require_error(
      [&] {
        patched(offset, {0xE0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF});
      },
      {"truncated: tensor 't'", "at data offset 18446744073709551584"});  // 2^64 - 32
  require_error([&] { patched(offset, {32}); }, {"truncated: tensor 't'", "runs past"});
}

BOOST_AUTO_TEST_CASE(nested_arrays_and_huge_counts_are_refused) {
  Value deep{std::uint8_t{1}};
  for (int depth = 0; depth < 6; ++depth) deep = Value{Array{deep.type(), {deep}}};
  require_error([&] { read(with_key("deep", deep)); }, {"deep", "nested deeper"});
  testing::ByteSink sink;  // a string array claiming 2^60 elements
  for (char c : std::string("GGUF")) sink.put(c);
  sink.put<std::uint32_t>(3);
  sink.put<std::uint64_t>(0);
  sink.put<std::uint64_t>(1);
  sink.put_string("tokenizer.ggml.tokens");
  sink.put<std::uint32_t>(9);
  sink.put<std::uint32_t>(8);
  sink.put<std::uint64_t>(std::uint64_t{1} << 60);
  require_error([&] { File::from_bytes(sink.bytes); },
                {"tokenizer.ggml.tokens", "1152921504606846976 elements of string", "cannot fit"});
}

BOOST_AUTO_TEST_CASE(a_file_on_disk_is_mapped) {
  const std::string path = "build/test_gguf_mapped.gguf";
  const std::vector<std::byte> bytes = testing::tiny_llama().bytes();
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
  }
  const File f(path);
  BOOST_TEST(f.origin() == path);
  BOOST_TEST(f.bytes().size() == bytes.size());
  BOOST_TEST(llama_hparams(f).n_layers == 2u);
  std::remove(path.c_str());
  require_error([&] { File{path}; }, {path, "cannot open"});
  require_error([&] { File{"build"}; }, {"build: not a regular file"});
}

BOOST_AUTO_TEST_CASE(llama_hparams_and_tied_embeddings) {
  const LlamaHParams h = llama_hparams(read(testing::tiny_llama()));
  BOOST_TEST(h.n_layers == 2u);
  BOOST_TEST(h.d_model == 64u);
  BOOST_TEST(h.ffn == 96u);
  BOOST_TEST(h.n_heads == 4u);
  BOOST_TEST(h.n_kv_heads == 2u);
  BOOST_TEST(h.head_dim == 16u);
  BOOST_TEST(h.rope_dims == 16u);
  BOOST_TEST(h.rope_base == 100000.0f);
  BOOST_TEST(h.rms_eps == 1e-5f);
  BOOST_TEST(h.vocab == 32u);
  BOOST_TEST(h.context_length == 128u);
  BOOST_TEST(h.tied_embeddings);
  BOOST_TEST(h.bos_id.value() == 1u);
  BOOST_TEST(h.eos_id.value() == 2u);
  BOOST_TEST(h.pad_id.value() == 2u);
  BOOST_TEST(!h.unk_id.has_value());
  testing::TinyLlama untied;
  untied.tied = false;
  BOOST_TEST(!llama_hparams(read(testing::tiny_llama(untied))).tied_embeddings);
}

namespace {

// tiny_llama with `edit` applied to its writer; requires llama_hparams to fail naming parts.
template <typename Edit>
void require_hparams_error(Edit edit, std::initializer_list<std::string> parts) {
  Writer w = testing::tiny_llama();
  edit(w);
  const File f = read(w);
  require_error([&] { llama_hparams(f); }, parts);
}

void set_key(Writer& w, const std::string& key, Value value) {
  for (auto& [k, v] : w.metadata) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  w.add(key, std::move(value));
}

}  // namespace

BOOST_AUTO_TEST_CASE(llama_hparams_errors_name_the_cause) {
  require_hparams_error(
      [](Writer& w) { set_key(w, "general.architecture", {std::string("gpt2")}); },
      {"general.architecture is 'gpt2'", "only 'llama'"});
  require_hparams_error(
      [](Writer& w) {
        std::erase_if(w.metadata, [](auto& kv) { return kv.first == "llama.block_count"; });
      },
      {"'llama.block_count' is missing"});
  require_hparams_error([](Writer& w) { set_key(w, "llama.block_count", {1.5f}); },
                        {"'llama.block_count'", "integer", "float32"});
  require_hparams_error(
      [](Writer& w) { set_key(w, "llama.attention.head_count_kv", {std::uint32_t{3}}); },
      {"head_count 4 is not a multiple of head_count_kv 3"});
  require_hparams_error([](Writer& w) { set_key(w, "llama.vocab_size", {std::uint32_t{33}}); },
                        {"llama.vocab_size is 33", "has 32 tokens"});
  require_hparams_error(
      [](Writer& w) { set_key(w, "tokenizer.ggml.eos_token_id", {std::uint32_t{32}}); },
      {"eos_token_id 32", "outside the vocabulary"});
  require_hparams_error([](Writer& w) { set_key(w, "llama.embedding_length", {std::uint32_t{0}}); },
                        {"llama.embedding_length is 0"});
  require_hparams_error(
      [](Writer& w) {
        std::erase_if(w.tensors, [](auto& t) { return t.name == "blk.1.ffn_up.weight"; });
      },
      {"tensor 'blk.1.ffn_up.weight' is missing"});
  require_hparams_error(
      [](Writer& w) { set_key(w, "llama.feed_forward_length", {std::uint32_t{128}}); },
      {"tensor 'blk.0.ffn_gate.weight' has shape [64, 96], expected [64, 128]"});
  require_hparams_error(
      [](Writer& w) {
        w.tensors.at(0) =
            testing::random_tensor("token_embd.weight", {64, 31}, TensorType::Q8_0, 3);
      },
      {"tensor 'token_embd.weight' has shape [64, 31], expected [64, 32]"});
}

BOOST_AUTO_TEST_CASE(real_model_reads_as_the_issue_describes,
                     *boost::unit_test::precondition(test::real_model_present)) {
  const File f(resolve_model(test::kRealModel));
  const LlamaHParams h = llama_hparams(f);
  BOOST_TEST(h.n_layers == 30u);
  BOOST_TEST(h.d_model == 576u);
  BOOST_TEST(h.n_heads == 9u);
  BOOST_TEST(h.n_kv_heads == 3u);
  BOOST_TEST(h.head_dim == 64u);
  BOOST_TEST(h.ffn == 1536u);
  BOOST_TEST(h.vocab == 49152u);
  BOOST_TEST(h.rope_base == 100000.0f);
  BOOST_TEST(h.rms_eps == 1e-5f);
  BOOST_TEST(h.tied_embeddings);
  BOOST_TEST(h.bos_id.value() == 1u);
  BOOST_TEST(h.eos_id.value() == 2u);
  BOOST_TEST(h.pad_id.value() == 2u);
  const std::vector<std::string> tokens = f.get_string_array("tokenizer.ggml.tokens");
  BOOST_TEST(tokens.at(0) == "<|endoftext|>");
  BOOST_TEST(tokens.at(1) == "<|im_start|>");
  BOOST_TEST(tokens.at(2) == "<|im_end|>");
  BOOST_TEST(f.get_i32_array("tokenizer.ggml.token_type").size() == tokens.size());
  BOOST_TEST(f.tensors().size() == 272u);
  std::size_t q4_1 = 0;
  for (const TensorInfo& info : f.tensors()) {
    const std::vector<float> values = f.dequantize(info);
    BOOST_TEST(values.size() == info.n_elements);
    q4_1 += info.type == TensorType::Q4_1;
  }
  BOOST_TEST(q4_1 > 0u);
}
