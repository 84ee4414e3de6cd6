// Pass and realignment costs; the formulas are stated (with their sources) in
// docs/cost-model.md, section by section in the order they appear here.
#include "sim/cost_model.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "sim/cost_cpu.h"
#include "sim/error.h"

namespace lockstep::sim {
namespace {

const std::map<std::string, Hardware>& hardware_table() {
  // Peak figures from the vendors' datasheets (docs/cost-model.md, "Published specifications",
  // pinned by tests/test_cost_model.cpp). The launch overhead is not published: lockstep's
  // uncalibrated default, a few microseconds per kernel without CUDA graphs.
  static const std::map<std::string, Hardware> table = {
      {"h200", {"h200", 4.8e12, 1979e12, 989.5e12, 4e-6}},
      {"a100", {"a100", 2.039e12, 624e12, 312e12, 4e-6}},
  };
  return table;
}

const std::map<std::string, ModelDims>& model_table() {
  // From each model's published config.json (docs/cost-model.md, "Published specifications",
  // pinned by tests/test_cost_model.cpp).
  static const std::map<std::string, ModelDims> table = {
      {"vicuna-7b", {"vicuna-7b", 32000, 4096, 32, 32, 32, 128, 11008}},
      {"vicuna-68m", {"vicuna-68m", 32000, 768, 2, 12, 12, 64, 3072}},
      {"qwen3-8b", {"qwen3-8b", 151936, 4096, 36, 32, 8, 128, 12288}},
      {"qwen3-0.6b", {"qwen3-0.6b", 151936, 1024, 28, 16, 8, 128, 3072}},
      {"glm-4-9b", {"glm-4-9b", 151552, 4096, 40, 32, 2, 128, 13696}},
      // No 0.6B GLM-4 model is published; a draft must share the target's vocabulary, so this
      // is Qwen3-0.6B's shape with GLM-4's 151552-token vocabulary (a stand-in, not a model).
      {"glm-draft-0.6b", {"glm-draft-0.6b", 151552, 1024, 28, 16, 8, 128, 3072}},
  };
  return table;
}

const std::map<std::string, std::pair<std::string, std::string>>& pair_table() {
  static const std::map<std::string, std::pair<std::string, std::string>> table = {
      {"vicuna-7b/vicuna-68m", {"vicuna-7b", "vicuna-68m"}},
      {"qwen3-8b/qwen3-0.6b", {"qwen3-8b", "qwen3-0.6b"}},
      {"glm-4-9b/glm-draft-0.6b", {"glm-4-9b", "glm-draft-0.6b"}},
  };
  return table;
}

template <typename Map>
std::string known_keys(const Map& map) {
  std::string out;
  for (const auto& [key, value] : map) out += (out.empty() ? "" : ", ") + key;
  return out;
}

// The optional "PROFILE@" prefix of a cost spec; `start` is left just past it.
Implementation take_profile(const std::string& spec, std::size_t& start) {
  const auto at = spec.find('@');
  if (at == std::string::npos) return Implementation::lockstep;
  const std::string profile = spec.substr(0, at);
  start = at + 1;
  for (auto candidate : {Implementation::lockstep, Implementation::hf_eager}) {
    if (profile == implementation_name(candidate)) return candidate;
  }
  throw InputError("cost '" + spec + "': unknown implementation profile '" + profile +
                   "' (known: lockstep, hf-eager)");
}

}  // namespace

std::int64_t ModelDims::layer_params() const {
  const std::int64_t d = d_model;
  const std::int64_t q = static_cast<std::int64_t>(n_heads) * head_dim;
  const std::int64_t kv = static_cast<std::int64_t>(n_kv_heads) * head_dim;
  // Q, K, V and output projections, then SwiGLU's gate, up and down.
  return d * q + 2 * d * kv + q * d + 3 * d * ffn;
}

std::int64_t ModelDims::streamed_params() const {
  return layer_params() * n_layers + static_cast<std::int64_t>(vocab) * d_model;
}

const char* implementation_name(Implementation implementation) {
  return implementation == Implementation::hf_eager ? "hf-eager" : "lockstep";
}

std::vector<std::string> implementation_names() {
  return {implementation_name(Implementation::lockstep),
          implementation_name(Implementation::hf_eager)};
}

const char* precision_name(Precision p) {
  return p == Precision::int8 ? "int8" : "bf16";
}

CostModel::CostModel(Hardware hardware, ModelPair pair, Precision precision,
                     CostConstants constants, Implementation implementation)
    : hardware_(std::move(hardware)),
      pair_(std::move(pair)),
      precision_(precision),
      constants_(constants),
      implementation_(implementation) {
  if (!(constants_.bandwidth_fraction > 0) || !(constants_.compute_fraction > 0) ||
      !(constants_.attention_fraction > 0) || !(constants_.pack_fraction > 0))
    throw InputError("cost constants: every fraction must be positive");
}

std::string CostModel::spec() const {
  std::string out = implementation_ == Implementation::lockstep
                        ? std::string()
                        : std::string(implementation_name(implementation_)) + "@";
  out += hardware_.name + ":" + pair_.name + ":" + precision_name(precision_);
  // The sum form's constants live in its profile file, not in the spec.
  if (hardware_.form == CostForm::roofline &&
      (constants_.bandwidth_fraction != 1.0 || constants_.launch_seconds >= 0)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ":%.6g:%.6g", constants_.bandwidth_fraction,
                  1e6 * launch_overhead());
    out += buf;
  }
  return out;
}

double CostModel::peak_ops() const {
  const double peak = precision_ == Precision::int8 ? hardware_.int8_ops : hardware_.bf16_flops;
  return peak * constants_.compute_fraction;
}

double CostModel::launch_overhead() const {
  return constants_.launch_seconds >= 0 ? constants_.launch_seconds : hardware_.launch_seconds;
}

double CostModel::kv_bytes_per_slot(bool target) const {
  return static_cast<double>(dims(target).kv_elements_per_slot()) * bytes_per_element();
}

RowWork totals_of(const std::vector<RowWork>& rows) {
  RowWork sum;
  for (const auto& r : rows) {
    sum.tokens += r.tokens;
    sum.kv_read += r.kv_read;
    sum.attended += r.attended;
  }
  return sum;
}

PassCost count_pass_work(const ModelDims& m, const RowWork& totals, const ElementBytes& b,
                         double& attention_ops) {
  const auto [tokens, kv_read, attended] = totals;
  const double slot = static_cast<double>(m.kv_elements_per_slot()) * b.kv;
  PassCost c;
  c.weight_bytes = static_cast<double>(m.streamed_params()) * b.weight;
  c.kv_read_bytes = kv_read * slot;
  c.kv_write_bytes = tokens * slot;
  // Embedding rows gathered, and logits written once and read once.
  c.activation_bytes = tokens * m.d_model * b.embedding + 2.0 * tokens * m.vocab * b.logit;
  const double matmul = 2.0 * tokens * static_cast<double>(m.streamed_params());
  // Q K^T and P V: 2 ops per multiply-add, two products, every head of every layer.
  attention_ops = 4.0 * attended * m.n_heads * m.head_dim * m.n_layers;
  c.ops = matmul + attention_ops;
  return c;
}

PassCost CostModel::pass(bool target, const std::vector<RowWork>& rows) const {
  if (hardware_.form == CostForm::sum)
    return cpu_pass_cost(dims(target), hardware_, constants_, rows);
  const ModelDims& m = dims(target);
  const RowWork totals = totals_of(rows);
  if (totals.tokens == 0) return {};  // an empty pass is never issued as a kernel
  const double bpe = bytes_per_element();
  // bf16 logits written by the LM head then read by the argmax.
  double attention = 0;
  PassCost c = count_pass_work(m, totals, {bpe, bpe, bpe, 2.0}, attention);
  c.launches = static_cast<std::int64_t>(m.n_layers) * kLaunchesPerLayer + kLaunchesPerPass;
  c.memory_seconds = c.bytes() / (hardware_.bandwidth * constants_.bandwidth_fraction);
  c.compute_seconds = c.ops / peak_ops();
  c.launch_seconds = static_cast<double>(c.launches) * launch_overhead();
  c.seconds = std::max(c.memory_seconds, c.compute_seconds) + c.launch_seconds;
  return c;
}

RealignCost CostModel::move_plan(bool target, std::int64_t slots) const {
  RealignCost c;
  if (slots <= 0) return c;
  c.bytes_moved = static_cast<double>(slots) * kv_bytes_per_slot(target);
  c.launches = 1;
  c.seconds = 2.0 * c.bytes_moved / (hardware_.bandwidth * constants_.bandwidth_fraction) +
              launch_overhead();
  return c;
}

RealignCost CostModel::rebuild(bool target, std::int64_t rows, std::int64_t width,
                               std::int64_t live_slots) const {
  RealignCost c;
  if (rows <= 0) return c;
  const double slot = kv_bytes_per_slot(target);
  c.bytes_zeroed = static_cast<double>(rows * width) * slot;
  c.bytes_moved = static_cast<double>(live_slots) * slot;
  // Per layer, K and V are separate tensors: one zero-fill each, then one slice copy per row.
  c.launches = 2LL * dims(target).n_layers * (1 + rows);
  c.seconds = (c.bytes_zeroed + 2.0 * c.bytes_moved) /
                  (hardware_.bandwidth * constants_.bandwidth_fraction) +
              static_cast<double>(c.launches) * launch_overhead();
  return c;
}

Hardware hardware_preset(const std::string& name) {
  auto it = hardware_table().find(name);
  if (it == hardware_table().end())
    throw InputError("unknown hardware '" + name + "' (known: " + known_keys(hardware_table()) +
                     ")");
  return it->second;
}

std::vector<std::string> hardware_names() {
  std::vector<std::string> out;
  for (const auto& [name, hw] : hardware_table()) out.push_back(name);
  return out;
}

ModelPair pair_preset(const std::string& name) {
  auto it = pair_table().find(name);
  if (it == pair_table().end()) {
    if (auto cpu = cpu_pair(name)) return *cpu;
    throw InputError("unknown model pair '" + name + "' (known: " + known_keys(pair_table()) +
                     "; or TARGET/DRAFT of the cpu backend's presets, e.g. small/draft-small)");
  }
  return {name, model_table().at(it->second.first), model_table().at(it->second.second)};
}

std::vector<std::string> pair_names() {
  std::vector<std::string> out;
  for (const auto& [name, pair] : pair_table()) out.push_back(name);
  return out;
}

CostModel parse_cost_spec(const std::string& spec, CostConstants constants,
                          const Hardware* measured) {
  std::size_t start = 0;
  const Implementation implementation = take_profile(spec, start);
  // Fields split at ':' outside brackets: a derived draft is named "small[:2]".
  std::vector<std::string> f(1);
  int depth = 0;
  for (std::size_t i = start; i < spec.size(); ++i) {
    const char ch = spec[i];
    depth += ch == '[' ? 1 : ch == ']' ? -1 : 0;
    if (ch == ':' && depth == 0) {
      f.emplace_back();
    } else {
      f.back() += ch;
    }
  }
  if (f.size() < 2 || f.size() > 5)
    throw InputError(
        "cost '" + spec +
        "': expected [PROFILE@]HW:PAIR[:PRECISION[:BANDWIDTH_FRACTION:LAUNCH_US]], e.g. "
        "h200:vicuna-7b/vicuna-68m:bf16");
  const bool cpu = f[0] == kCpuHardwareName;
  if (cpu && (measured == nullptr || measured->name != kCpuHardwareName))
    throw InputError("cost '" + spec +
                     "': the cpu hardware is measured, not published: give its profile "
                     "(--profile FILE, written by lockstep calibrate --probe)");
  if (cpu && (f.size() > 3 || implementation != Implementation::lockstep))
    throw InputError("cost '" + spec +
                     "': cpu takes no profile prefix and no inline constants (they live in the "
                     "profile file)");
  Precision precision = cpu ? Precision::int8 : Precision::bf16;
  if (f.size() >= 3) {
    if (f[2] == "int8" || f[2] == "bf16") {
      precision = f[2] == "int8" ? Precision::int8 : Precision::bf16;
    } else {
      throw InputError("cost '" + spec + "': precision must be int8 or bf16, got '" + f[2] + "'");
    }
  }
  auto number = [&](const std::string& text, const char* what, double low, double high) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != text.size() || text.empty() || !(v > low) || !(v <= high))
      throw InputError("cost '" + spec + "': " + what + " must be a number in (" +
                       std::to_string(low) + ", " + std::to_string(high) + "], got '" + text + "'");
    return v;
  };
  if (f.size() == 4)
    throw InputError("cost '" + spec + "': give both BANDWIDTH_FRACTION and LAUNCH_US, or neither");
  if (f.size() == 5) {
    // Calibrated constants (`lockstep calibrate` prints them in this form).
    constants.bandwidth_fraction = number(f[3], "the bandwidth fraction", 0.0, 1.0);
    constants.launch_seconds = 1e-6 * number(f[4], "the launch overhead (us)", -1e-300, 1e6);
  }
  if (cpu && precision != Precision::int8)
    throw InputError("cost '" + spec + "': the cpu reference keeps int8 K/V: precision int8");
  return CostModel(cpu ? *measured : hardware_preset(f[0]), pair_preset(f[1]), precision, constants,
                   implementation);
}

}  // namespace lockstep::sim
