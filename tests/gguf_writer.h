// A small GGUF v3 writer for the tests (never used by the product): builds files byte by
// byte so the unit tests and the fuzzer's seed corpus exercise the reader on files whose
// every field is known, including deliberately broken ones (magic, version, alignment,
// offsets). Also deterministic tensor contents of each type and a tiny valid llama model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "gguf/gguf.h"

namespace lockstep::gguf::testing {

// Little-endian byte sink.
class ByteSink {
 public:
  template <typename T>
  void put(const T& value) {
    const auto* p = reinterpret_cast<const std::byte*>(&value);
    bytes.insert(bytes.end(), p, p + sizeof(T));
  }
  void put_string(const std::string& text) {
    put<std::uint64_t>(text.size());
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    bytes.insert(bytes.end(), p, p + text.size());
  }
  void pad_to(std::uint64_t alignment) {
    while (bytes.size() % alignment != 0) bytes.push_back(std::byte{0});
  }
  std::vector<std::byte> bytes;
};

inline void put_value(ByteSink& sink, const Value& value) {
  std::visit(
      [&](const auto& held) {
        using T = std::decay_t<decltype(held)>;
        if constexpr (std::is_same_v<T, std::string>) {
          sink.put_string(held);
        } else if constexpr (std::is_same_v<T, Array>) {
          sink.put<std::uint32_t>(static_cast<std::uint32_t>(held.element_type));
          sink.put<std::uint64_t>(held.items.size());
          for (const Value& item : held.items) put_value(sink, item);
        } else if constexpr (std::is_same_v<T, bool>) {
          sink.put<std::uint8_t>(held ? 1 : 0);
        } else {
          sink.put<T>(held);
        }
      },
      value.data);
}

struct TensorSpec {
  std::string name;
  std::vector<std::uint64_t> dims;
  TensorType type = TensorType::F32;
  std::vector<std::byte> data;
};

class Writer {
 public:
  void add(const std::string& key, Value value) { metadata.emplace_back(key, std::move(value)); }
  void add_tensor(TensorSpec tensor) { tensors.push_back(std::move(tensor)); }

  // The whole file. Tensors are laid out in order, each at the next multiple of alignment.
  std::vector<std::byte> bytes() const {
    ByteSink sink;
    sink.bytes.insert(sink.bytes.end(), reinterpret_cast<const std::byte*>(magic.data()),
                      reinterpret_cast<const std::byte*>(magic.data()) + magic.size());
    sink.put<std::uint32_t>(version);
    sink.put<std::uint64_t>(tensors.size());
    sink.put<std::uint64_t>(metadata.size());
    for (const auto& [key, value] : metadata) {
      sink.put_string(key);
      sink.put<std::uint32_t>(static_cast<std::uint32_t>(value.type()));
      put_value(sink, value);
    }
    std::uint64_t offset = 0;
    for (const TensorSpec& tensor : tensors) {
      sink.put_string(tensor.name);
      sink.put<std::uint32_t>(static_cast<std::uint32_t>(tensor.dims.size()));
      for (std::uint64_t d : tensor.dims) sink.put<std::uint64_t>(d);
      sink.put<std::uint32_t>(static_cast<std::uint32_t>(tensor.type));
      sink.put<std::uint64_t>(offset);
      offset = (offset + tensor.data.size() + alignment - 1) / alignment * alignment;
    }
    sink.pad_to(alignment);
    for (const TensorSpec& tensor : tensors) {
      sink.bytes.insert(sink.bytes.end(), tensor.data.begin(), tensor.data.end());
      sink.pad_to(alignment);
    }
    return sink.bytes;
  }

  std::string magic = "GGUF";
  std::uint32_t version = 3;
  std::uint64_t alignment = 32;  // used for layout; add general.alignment to declare another
  std::vector<std::pair<std::string, Value>> metadata;
  std::vector<TensorSpec> tensors;
};

// A deterministic generator (splitmix64): the same bytes on every platform.
class SplitMix {
 public:
  explicit SplitMix(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

// A finite, normal fp16 in [2^-8, 1) with either sign: a sane block scale.
inline std::uint16_t random_scale_half(SplitMix& rng) {
  const std::uint64_t r = rng.next();
  const auto exponent = static_cast<std::uint16_t>(7 + r % 8);  // biased: 2^-8 .. 2^-1
  return static_cast<std::uint16_t>(((r >> 8) & 1u) << 15 | exponent << 10 | ((r >> 16) & 0x3FF));
}

// n_elements of `type` (a type dequantize supports) with deterministic, finite contents.
inline std::vector<std::byte> random_tensor_data(TensorType type, std::uint64_t n_elements,
                                                 std::uint64_t seed) {
  SplitMix rng(seed);
  ByteSink sink;
  const BlockLayout layout = *block_layout(type);
  for (std::uint64_t b = 0; b < n_elements / layout.elements; ++b) {
    switch (type) {
      case TensorType::F32:
        sink.put<float>(static_cast<float>(static_cast<std::int64_t>(rng.next() % 2001) - 1000) /
                        256.0f);
        break;
      case TensorType::F16:
        sink.put<std::uint16_t>(random_scale_half(rng));
        break;
      case TensorType::BF16: {
        // the top half of a float in [-4, 4]: exact in bfloat16
        const float f =
            static_cast<float>(static_cast<std::int64_t>(rng.next() % 2049) - 1024) / 256.0f;
        std::uint32_t bits;
        std::memcpy(&bits, &f, 4);
        sink.put<std::uint16_t>(static_cast<std::uint16_t>(bits >> 16));
        break;
      }
      case TensorType::Q4_1:
        sink.put<std::uint16_t>(random_scale_half(rng));
        [[fallthrough]];
      case TensorType::Q8_0:
      case TensorType::Q4_0: {
        sink.put<std::uint16_t>(random_scale_half(rng));
        const std::uint64_t quant_bytes = type == TensorType::Q8_0 ? 32 : 16;
        for (std::uint64_t i = 0; i < quant_bytes; ++i) {
          sink.put<std::uint8_t>(static_cast<std::uint8_t>(rng.next()));
        }
        break;
      }
      default:
        throw std::logic_error("random_tensor_data: unsupported type");
    }
  }
  return sink.bytes;
}

inline TensorSpec random_tensor(const std::string& name, std::vector<std::uint64_t> dims,
                                TensorType type, std::uint64_t seed) {
  std::uint64_t n = 1;
  for (std::uint64_t d : dims) n *= d;
  return {name, std::move(dims), type, random_tensor_data(type, n, seed)};
}

inline Value string_array(const std::vector<std::string>& items) {
  Array array{ValueType::String, {}};
  for (const std::string& item : items) array.items.push_back({item});
  return {array};
}

struct TinyLlama {
  std::uint32_t n_layers = 2, d_model = 64, ffn = 96, n_heads = 4, n_kv_heads = 2, vocab = 32;
  bool tied = true;
};

// A valid tiny llama file: all metadata llama_hparams reads, every weight of the right
// shape, the weight types cycling through Q4_1, Q8_0, Q4_0, F16, BF16 (norms F32).
inline Writer tiny_llama(const TinyLlama& m = {}) {
  Writer w;
  w.add("general.architecture", {std::string("llama")});
  w.add("llama.block_count", {m.n_layers});
  w.add("llama.context_length", {std::uint32_t{128}});
  w.add("llama.embedding_length", {m.d_model});
  w.add("llama.feed_forward_length", {m.ffn});
  w.add("llama.attention.head_count", {m.n_heads});
  w.add("llama.attention.head_count_kv", {m.n_kv_heads});
  w.add("llama.rope.freq_base", {100000.0f});
  w.add("llama.attention.layer_norm_rms_epsilon", {1e-5f});
  std::vector<std::string> tokens;
  for (std::uint32_t t = 0; t < m.vocab; ++t) tokens.push_back("t" + std::to_string(t));
  w.add("tokenizer.ggml.tokens", string_array(tokens));
  w.add("tokenizer.ggml.bos_token_id", {std::uint32_t{1}});
  w.add("tokenizer.ggml.eos_token_id", {std::uint32_t{2}});
  w.add("tokenizer.ggml.padding_token_id", {std::uint32_t{2}});
  const std::uint64_t d = m.d_model, q = d, kv = d / m.n_heads * m.n_kv_heads;
  std::uint64_t seed = 1;
  const TensorType cycle[] = {TensorType::Q4_1, TensorType::Q8_0, TensorType::Q4_0, TensorType::F16,
                              TensorType::BF16};
  auto weight = [&](const std::string& name, std::vector<std::uint64_t> dims) {
    w.add_tensor(random_tensor(name, std::move(dims), cycle[seed % 5], seed));
    ++seed;
  };
  w.add_tensor(random_tensor("token_embd.weight", {d, m.vocab}, TensorType::Q8_0, seed++));
  for (std::uint32_t layer = 0; layer < m.n_layers; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    w.add_tensor(random_tensor(blk + "attn_norm.weight", {d}, TensorType::F32, seed++));
    weight(blk + "attn_q.weight", {d, q});
    weight(blk + "attn_k.weight", {d, kv});
    weight(blk + "attn_v.weight", {d, kv});
    weight(blk + "attn_output.weight", {q, d});
    w.add_tensor(random_tensor(blk + "ffn_norm.weight", {d}, TensorType::F32, seed++));
    weight(blk + "ffn_gate.weight", {d, m.ffn});
    weight(blk + "ffn_up.weight", {d, m.ffn});
    weight(blk + "ffn_down.weight", {m.ffn, d});
  }
  w.add_tensor(random_tensor("output_norm.weight", {d}, TensorType::F32, seed++));
  if (!m.tied) w.add_tensor(random_tensor("output.weight", {d, m.vocab}, TensorType::Q8_0, seed));
  return w;
}

}  // namespace lockstep::gguf::testing
