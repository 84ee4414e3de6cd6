// llama_hparams: the llama.* keys, their consistency, and the tensor shapes they imply
// (ggml order: dims[0] is the input dimension of a weight, e.g. attn_q is [d_model, q_dim]).
#include <string>
#include <vector>

#include "gguf/llama.h"
#include "sim/error.h"

namespace lockstep::gguf {
namespace {

std::uint32_t positive_u32(const File& file, const std::string& key) {
  const std::uint64_t value = file.get_uint(key);
  if (value == 0 || value > UINT32_MAX) {
    throw InputError(file.origin() + ": " + key + " is " + std::to_string(value) +
                     ", expected 1.." + std::to_string(UINT32_MAX));
  }
  return static_cast<std::uint32_t>(value);
}

std::optional<std::uint32_t> optional_u32(const File& file, const std::string& key) {
  if (!file.has(key)) return std::nullopt;
  const std::uint64_t value = file.get_uint(key);
  if (value > UINT32_MAX) {
    throw InputError(file.origin() + ": " + key + " is " + std::to_string(value) +
                     ", too large for a token id or count");
  }
  return static_cast<std::uint32_t>(value);
}

void check_consistency(const File& file, const LlamaHParams& h) {
  const auto fail = [&](const std::string& what) {
    throw InputError(file.origin() + ": llama hyperparameters: " + what);
  };
  if (h.n_heads % h.n_kv_heads != 0) {
    fail("head_count " + std::to_string(h.n_heads) + " is not a multiple of head_count_kv " +
         std::to_string(h.n_kv_heads));
  }
  if (h.rope_dims > h.head_dim || h.rope_dims % 2 != 0) {
    fail("rope.dimension_count " + std::to_string(h.rope_dims) +
         " must be even and at most the head dimension " + std::to_string(h.head_dim));
  }
  if (!(h.rope_base > 0.0f) || !(h.rms_eps > 0.0f)) {
    fail("rope.freq_base and attention.layer_norm_rms_epsilon must be positive");
  }
  for (const auto& [name, id] : {std::pair{"bos", h.bos_id}, std::pair{"eos", h.eos_id},
                                 std::pair{"padding", h.pad_id}, std::pair{"unknown", h.unk_id}}) {
    if (id && *id >= h.vocab) {
      fail(std::string("tokenizer.ggml.") + name + "_token_id " + std::to_string(*id) +
           " is outside the vocabulary of " + std::to_string(h.vocab));
    }
  }
}

void check_tensor(const File& file, const std::string& name,
                  const std::vector<std::uint64_t>& expected) {
  const TensorInfo* info = file.find_tensor(name);
  if (info == nullptr) {
    throw InputError(file.origin() + ": llama model: tensor '" + name + "' is missing");
  }
  if (info->dims != expected) {
    throw InputError(file.origin() + ": llama model: tensor '" + name + "' has shape " +
                     dims_string(info->dims) + ", expected " + dims_string(expected) +
                     " from the hyperparameters");
  }
}

void check_tensors(const File& file, const LlamaHParams& h) {
  const std::uint64_t d = h.d_model, q_dim = std::uint64_t{h.n_heads} * h.head_dim;
  const std::uint64_t kv_dim = std::uint64_t{h.n_kv_heads} * h.head_dim;
  check_tensor(file, "token_embd.weight", {d, h.vocab});
  for (std::uint32_t layer = 0; layer < h.n_layers; ++layer) {
    const std::string blk = "blk." + std::to_string(layer) + ".";
    check_tensor(file, blk + "attn_norm.weight", {d});
    check_tensor(file, blk + "attn_q.weight", {d, q_dim});
    check_tensor(file, blk + "attn_k.weight", {d, kv_dim});
    check_tensor(file, blk + "attn_v.weight", {d, kv_dim});
    check_tensor(file, blk + "attn_output.weight", {q_dim, d});
    check_tensor(file, blk + "ffn_norm.weight", {d});
    check_tensor(file, blk + "ffn_gate.weight", {d, h.ffn});
    check_tensor(file, blk + "ffn_up.weight", {d, h.ffn});
    check_tensor(file, blk + "ffn_down.weight", {h.ffn, d});
  }
  check_tensor(file, "output_norm.weight", {d});
  if (!h.tied_embeddings) check_tensor(file, "output.weight", {d, h.vocab});
}

}  // namespace

LlamaHParams llama_hparams(const File& file) {
  const std::string& architecture = file.get_string("general.architecture");
  if (architecture != "llama") {
    throw InputError(file.origin() + ": general.architecture is '" + architecture +
                     "'; only 'llama' is supported");
  }
  LlamaHParams h;
  h.n_layers = positive_u32(file, "llama.block_count");
  h.d_model = positive_u32(file, "llama.embedding_length");
  h.ffn = positive_u32(file, "llama.feed_forward_length");
  h.n_heads = positive_u32(file, "llama.attention.head_count");
  h.n_kv_heads = file.has("llama.attention.head_count_kv")
                     ? positive_u32(file, "llama.attention.head_count_kv")
                     : h.n_heads;
  if (file.has("llama.attention.key_length")) {
    h.head_dim = positive_u32(file, "llama.attention.key_length");
  } else if (h.d_model % h.n_heads == 0) {
    h.head_dim = h.d_model / h.n_heads;
  } else {
    throw InputError(file.origin() + ": llama.embedding_length " + std::to_string(h.d_model) +
                     " is not a multiple of llama.attention.head_count " +
                     std::to_string(h.n_heads));
  }
  h.rope_dims = optional_u32(file, "llama.rope.dimension_count").value_or(h.head_dim);
  h.rope_base = file.find_f32("llama.rope.freq_base").value_or(10000.0f);
  h.rms_eps = file.get_f32("llama.attention.layer_norm_rms_epsilon");
  h.context_length = positive_u32(file, "llama.context_length");
  const std::size_t vocab = file.array_size("tokenizer.ggml.tokens");
  if (vocab == 0 || vocab > UINT32_MAX) {
    throw InputError(file.origin() + ": tokenizer.ggml.tokens has " + std::to_string(vocab) +
                     " tokens");
  }
  h.vocab = static_cast<std::uint32_t>(vocab);
  h.tied_embeddings = file.find_tensor("output.weight") == nullptr;
  h.bos_id = optional_u32(file, "tokenizer.ggml.bos_token_id");
  h.eos_id = optional_u32(file, "tokenizer.ggml.eos_token_id");
  h.pad_id = optional_u32(file, "tokenizer.ggml.padding_token_id");
  h.unk_id = optional_u32(file, "tokenizer.ggml.unknown_token_id");
  const std::optional<std::uint32_t> declared_vocab = optional_u32(file, "llama.vocab_size");
  if (declared_vocab && *declared_vocab != h.vocab) {
    throw InputError(file.origin() + ": llama.vocab_size is " + std::to_string(*declared_vocab) +
                     " but tokenizer.ggml.tokens has " + std::to_string(h.vocab) + " tokens");
  }
  check_consistency(file, h);
  check_tensors(file, h);
  return h;
}

}  // namespace lockstep::gguf
