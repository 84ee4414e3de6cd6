#include "cli/model_info_command.h"

#include <fmt/core.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "gguf/gguf.h"

namespace lockstep::cli {
namespace {

struct ModelInfoArgs {
  std::string model;
  bool json = false;
};

std::string id_text(const std::optional<std::uint32_t>& id) {
  return id ? std::to_string(*id) : std::string("none");
}

nlohmann::json optional_json(const std::optional<std::uint32_t>& id) {
  return id ? nlohmann::json(*id) : nlohmann::json(nullptr);
}

nlohmann::json info_json(const std::string& path, const gguf::File& file,
                         const gguf::LlamaHParams& h) {
  nlohmann::json tensors = nlohmann::json::array();
  for (const gguf::TensorInfo& t : file.tensors()) {
    tensors.push_back({{"name", t.name},
                       {"type", gguf::tensor_type_name(t.type)},
                       {"shape", t.dims},
                       {"bytes", t.n_bytes}});
  }
  return {{"path", path},
          {"gguf_version", file.version()},
          {"architecture", "llama"},
          {"name", file.find_string("general.name").value_or("")},
          {"hparams",
           {{"n_layers", h.n_layers},
            {"d_model", h.d_model},
            {"ffn", h.ffn},
            {"n_heads", h.n_heads},
            {"n_kv_heads", h.n_kv_heads},
            {"head_dim", h.head_dim},
            {"rope_dims", h.rope_dims},
            {"rope_base", h.rope_base},
            {"rms_eps", h.rms_eps},
            {"vocab", h.vocab},
            {"context_length", h.context_length},
            {"tied_embeddings", h.tied_embeddings},
            {"bos_id", optional_json(h.bos_id)},
            {"eos_id", optional_json(h.eos_id)},
            {"pad_id", optional_json(h.pad_id)}}},
          {"tensors", tensors}};
}

void print_text(const std::string& path, const gguf::File& file, const gguf::LlamaHParams& h) {
  fmt::print("{}: GGUF v{}, {} metadata keys, {} tensors, {} bytes\n", path, file.version(),
             file.metadata().size(), file.tensors().size(), file.bytes().size());
  fmt::print("llama '{}': {} layers, d_model {}, ffn {}, {} heads ({} kv), head_dim {}\n",
             file.find_string("general.name").value_or(""), h.n_layers, h.d_model, h.ffn, h.n_heads,
             h.n_kv_heads, h.head_dim);
  fmt::print("rope base {} ({} dims), rms eps {}, vocab {}, context {}, tied embeddings: {}\n",
             h.rope_base, h.rope_dims, h.rms_eps, h.vocab, h.context_length,
             h.tied_embeddings ? "yes" : "no");
  fmt::print("tokens: bos {}, eos {}, pad {}\n\n", id_text(h.bos_id), id_text(h.eos_id),
             id_text(h.pad_id));
  std::size_t width = 4;
  for (const gguf::TensorInfo& t : file.tensors()) width = std::max(width, t.name.size());
  fmt::print("{:<{}}  {:<5}  {:<16}  {:>10}\n", "name", width, "type", "shape", "bytes");
  for (const gguf::TensorInfo& t : file.tensors()) {
    fmt::print("{:<{}}  {:<5}  {:<16}  {:>10}\n", t.name, width, gguf::tensor_type_name(t.type),
               gguf::dims_string(t.dims), t.n_bytes);
  }
}

}  // namespace

void add_model_info_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ModelInfoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "model-info", "Print a GGUF model's Llama hyperparameters and its tensor table");
  cmd->add_option("model", args->model, "A .gguf path, or a model name of the cache")->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->footer("Example: lockstep model-info smollm2-135m (scripts/fetch-model.sh fetches it)");
  cmd->callback([args, &exit_code] {
    const std::string path = gguf::resolve_model(args->model);
    const gguf::File file(path);
    const gguf::LlamaHParams hparams = gguf::llama_hparams(file);
    if (args->json) {
      std::cout << info_json(path, file, hparams).dump(2) << "\n";
    } else {
      print_text(path, file, hparams);
    }
    exit_code = 0;
  });
}

}  // namespace lockstep::cli
