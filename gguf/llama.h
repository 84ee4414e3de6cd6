// The hyperparameters of a Llama-family model in a GGUF file (the `llama.*` and
// `tokenizer.ggml.*` keys, as llama.cpp's converter writes them), checked against the tensor
// shapes they imply. Says what the file holds; does not load or convert any weights.
#pragma once

#include <cstdint>
#include <optional>

#include "gguf/file.h"

namespace lockstep::gguf {

struct LlamaHParams {
  std::uint32_t n_layers = 0;           // llama.block_count
  std::uint32_t d_model = 0;            // llama.embedding_length
  std::uint32_t ffn = 0;                // llama.feed_forward_length
  std::uint32_t n_heads = 0;            // llama.attention.head_count
  std::uint32_t n_kv_heads = 0;         // llama.attention.head_count_kv (default n_heads)
  std::uint32_t head_dim = 0;           // llama.attention.key_length, else d_model / n_heads
  std::uint32_t rope_dims = 0;          // llama.rope.dimension_count, else head_dim
  float rope_base = 10000.0f;           // llama.rope.freq_base
  float rms_eps = 0.0f;                 // llama.attention.layer_norm_rms_epsilon
  std::uint32_t vocab = 0;              // length of tokenizer.ggml.tokens
  std::uint32_t context_length = 0;     // llama.context_length
  bool tied_embeddings = false;         // true when output.weight is absent
  std::optional<std::uint32_t> bos_id;  // tokenizer.ggml.bos_token_id
  std::optional<std::uint32_t> eos_id;  // tokenizer.ggml.eos_token_id
  std::optional<std::uint32_t> pad_id;  // tokenizer.ggml.padding_token_id
  std::optional<std::uint32_t> unk_id;  // tokenizer.ggml.unknown_token_id
};

// Throws InputError when general.architecture is not "llama" (naming it), when a key is
// missing or mistyped, when the numbers disagree (heads not dividing, ...), or naming the
// first tensor that is missing or whose shape disagrees with the hyperparameters.
LlamaHParams llama_hparams(const File& file);

}  // namespace lockstep::gguf
