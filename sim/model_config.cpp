#include "sim/model_config.h"

#include <map>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

struct Shape {
  int vocab, d_model, n_layers, n_heads, n_kv_heads, ffn;
};

const std::map<std::string, Shape>& presets() {
  static const std::map<std::string, Shape> table = {
      {"tiny", {256, 64, 2, 4, 2, 128}},
      {"draft-tiny", {256, 32, 1, 2, 1, 64}},
      {"draft-small", {512, 64, 1, 2, 1, 128}},
      {"small", {512, 256, 4, 8, 4, 512}},
      {"vicuna-7b", {32000, 4096, 32, 32, 32, 11008}},
      {"vicuna-68m", {32000, 768, 2, 12, 12, 3072}},
  };
  return table;
}

}  // namespace

void validate(const ModelConfig& c, const std::string& prefix) {
  auto positive = [&](int value, const char* field) {
    if (value <= 0) {
      throw InputError(prefix + "." + field + " must be a positive integer, got " +
                       std::to_string(value));
    }
  };
  positive(c.vocab, "vocab");
  positive(c.d_model, "d_model");
  positive(c.n_layers, "n_layers");
  positive(c.n_heads, "n_heads");
  positive(c.n_kv_heads, "n_kv_heads");
  positive(c.head_dim, "head_dim");
  positive(c.ffn, "ffn");
  if (c.n_heads % c.n_kv_heads != 0) {
    throw InputError(prefix + ".n_kv_heads (" + std::to_string(c.n_kv_heads) +
                     ") must divide n_heads (" + std::to_string(c.n_heads) + ")");
  }
  if (c.d_model != c.n_heads * c.head_dim) {
    throw InputError(prefix + ": d_model (" + std::to_string(c.d_model) +
                     ") must equal n_heads * head_dim (" + std::to_string(c.n_heads) + " * " +
                     std::to_string(c.head_dim) + ")");
  }
  if (c.vocab < 2) throw InputError(prefix + ".vocab must be at least 2");
}

ModelConfig preset(const std::string& name, std::uint64_t seed) {
  const auto& table = presets();
  auto it = table.find(name);
  if (it == table.end()) {
    std::string known;
    for (const auto& n : preset_names()) known += (known.empty() ? "" : ", ") + n;
    throw InputError("unknown model preset '" + name + "' (known: " + known + ")");
  }
  const Shape& s = it->second;
  ModelConfig c;
  c.name = name;
  c.vocab = s.vocab;
  c.d_model = s.d_model;
  c.n_layers = s.n_layers;
  c.n_heads = s.n_heads;
  c.n_kv_heads = s.n_kv_heads;
  c.head_dim = s.d_model / s.n_heads;
  c.ffn = s.ffn;
  c.seed = seed;
  return c;
}

const char* numerics_name(Numerics numerics) {
  switch (numerics) {
    case Numerics::float32:
      return "float";
    case Numerics::bf16:
      return "bf16";
    case Numerics::exact:
      break;
  }
  return "exact";
}

Numerics parse_numerics(const std::string& text, const std::string& field) {
  if (text == "exact") return Numerics::exact;
  if (text == "float") return Numerics::float32;
  if (text == "bf16") return Numerics::bf16;
  throw InputError(field + " must be \"exact\", \"float\" or \"bf16\", got '" + text + "'");
}

ModelConfig derived_draft(const ModelConfig& target, int layers) {
  ModelConfig c = target;
  c.n_layers = layers;
  c.name = target.name + "[:" + std::to_string(layers) + "]";
  return c;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& [name, shape] : presets()) names.push_back(name);
  return names;
}

}  // namespace lockstep::sim
