// The cpu profile: model dims from the presets, the sum-form pass, the profile file.
#include "sim/cost_cpu.h"

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

constexpr const char* kProfileFormat = "lockstep-cpu-profile-1";

ModelDims dims_of(const ModelConfig& c) {
  return {c.name, c.vocab, c.d_model, c.n_layers, c.n_heads, c.n_kv_heads, c.head_dim, c.ffn};
}

bool known_preset(const std::string& name) {
  for (const auto& known : preset_names())
    if (known == name) return true;
  return false;
}

std::string known_kernel_names() {
  std::string out;
  for (const auto& k : cpu_kernels()) out += (out.empty() ? "" : ", ") + k.name;
  return out;
}

double positive_field(const nlohmann::json& object, const char* field, const std::string& origin) {
  const auto it = object.find(field);
  if (it == object.end() || !it->is_number() || !(it->get<double>() > 0) ||
      !std::isfinite(it->get<double>()))
    throw InputError(origin + ": '" + field + "' must be a positive finite number");
  return it->get<double>();
}

}  // namespace

const std::vector<CpuKernel>& cpu_kernels() {
  // Eigen's kernels read doubles (8 bytes) or floats (4) and pack; the AVX2 kernel reads the
  // int8 rows themselves (reference/weights.h's values_i8).
  static const std::vector<CpuKernel> kernels = {
      {"double_serial", 8.0, WeightPasses::eigen_pack},
      {"double_threaded", 8.0, WeightPasses::eigen_pack},
      {"float_threaded", 4.0, WeightPasses::eigen_pack},
      {"int8_avx2", 1.0, WeightPasses::int8_blocks_of_4},
  };
  return kernels;
}

std::optional<CpuKernel> cpu_kernel(const std::string& name) {
  for (const auto& k : cpu_kernels())
    if (k.name == name) return k;
  return std::nullopt;
}

double weight_passes(WeightPasses rule, std::int64_t tokens) {
  if (tokens <= 0) return 0;
  if (rule == WeightPasses::eigen_pack) return tokens >= 2 ? 1.0 : 0.0;
  return static_cast<double>(tokens / 4 + tokens % 4);
}

Hardware cpu_hardware(const CpuProbe& probe) {
  for (double v : {probe.bandwidth, probe.gemm_ops, probe.attention_ops, probe.step_seconds,
                   probe.pack_bandwidth}) {
    if (!(v > 0) || !std::isfinite(v))
      throw InputError("cpu profile: every probed figure must be positive and finite");
  }
  const auto kernel = cpu_kernel(probe.gemm_kernel);
  if (!kernel)
    throw InputError("cpu profile: 'gemm_kernel' is '" + probe.gemm_kernel +
                     "'; known: " + known_kernel_names());
  Hardware hw;
  hw.name = kCpuHardwareName;
  hw.bandwidth = probe.bandwidth;
  hw.int8_ops = probe.gemm_ops;  // the int8 products, whichever exact kernel runs them
  hw.bf16_flops = probe.gemm_ops;
  hw.launch_seconds = probe.step_seconds;
  hw.form = CostForm::sum;
  hw.attention_ops = probe.attention_ops;
  hw.pack_bandwidth = probe.pack_bandwidth;
  hw.weight_bytes = kernel->weight_bytes;
  hw.weight_passes = kernel->passes;
  return hw;
}

std::optional<ModelDims> cpu_model_dims(const std::string& name) {
  const auto bracket = name.find("[:");
  const std::string base = name.substr(0, bracket);
  if (!known_preset(base)) return std::nullopt;
  ModelConfig config = preset(base, 0);
  if (bracket == std::string::npos) return dims_of(config);
  if (name.back() != ']') return std::nullopt;
  const std::string digits = name.substr(bracket + 2, name.size() - bracket - 3);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos ||
      digits.size() > 4)
    return std::nullopt;
  const int layers = std::stoi(digits);
  if (layers < 1 || layers > config.n_layers) return std::nullopt;
  return dims_of(derived_draft(config, layers));
}

std::optional<ModelPair> cpu_pair(const std::string& name) {
  const auto slash = name.find('/');
  if (slash == std::string::npos) return std::nullopt;
  auto target = cpu_model_dims(name.substr(0, slash));
  auto draft = cpu_model_dims(name.substr(slash + 1));
  if (!target || !draft) return std::nullopt;
  return ModelPair{name, *target, *draft};
}

std::vector<std::string> cpu_pair_names() {
  return {"tiny/draft-tiny", "small/draft-small", "small/small[:2]"};
}

std::string cpu_cost_spec(const ModelConfig& target, const ModelConfig& draft) {
  return std::string(kCpuHardwareName) + ":" + target.name + "/" + draft.name + ":int8";
}

PassCost cpu_pass_cost(const ModelDims& m, const Hardware& hw, const CostConstants& k,
                       const std::vector<RowWork>& rows) {
  const RowWork totals = totals_of(rows);
  if (totals.tokens == 0) return {};
  // Weights as the kernel reads them; int8 K/V; embedding rows read as doubles; float logits
  // written, then scanned by argmax and digest.
  double attention = 0;
  PassCost c =
      count_pass_work(m, totals, {hw.weight_bytes, 1.0, kCpuEmbeddingBytes, 4.0}, attention);
  const double gemm = c.ops - attention;
  c.launches = static_cast<std::int64_t>(m.n_layers) + 1;
  c.memory_seconds = c.bytes() / (hw.bandwidth * k.bandwidth_fraction);
  c.compute_seconds = gemm / (hw.int8_ops * k.compute_fraction);
  c.attention_seconds = attention / (hw.attention_ops * k.attention_fraction);
  c.launch_seconds = static_cast<double>(c.launches) *
                     (k.launch_seconds >= 0 ? k.launch_seconds : hw.launch_seconds);
  c.pack_seconds = weight_passes(hw.weight_passes, totals.tokens) * c.weight_bytes /
                   (hw.pack_bandwidth * k.pack_fraction);
  c.seconds = c.memory_seconds + c.compute_seconds + c.attention_seconds + c.launch_seconds +
              c.pack_seconds;
  return c;
}

std::string cpu_profile_json(const CpuProfile& p) {
  nlohmann::ordered_json j;
  j["format"] = kProfileFormat;
  j["note"] = p.note;
  j["gemm_kernel"] = p.probe.gemm_kernel;
  j["bandwidth_bytes_per_s"] = p.probe.bandwidth;
  j["gemm_ops_per_s"] = p.probe.gemm_ops;
  j["attention_ops_per_s"] = p.probe.attention_ops;
  j["step_seconds"] = p.probe.step_seconds;
  j["pack_bytes_per_s"] = p.probe.pack_bandwidth;
  if (p.has_fit) {
    j["fitted"] = {{"bandwidth_fraction", p.fitted.bandwidth_fraction},
                   {"compute_fraction", p.fitted.compute_fraction},
                   {"attention_fraction", p.fitted.attention_fraction},
                   {"pack_fraction", p.fitted.pack_fraction},
                   {"step_seconds", p.fitted.launch_seconds}};
  }
  return j.dump(2) + "\n";
}

CpuProfile parse_cpu_profile(const std::string& text, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw InputError(origin + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object() || j.value("format", std::string()) != kProfileFormat)
    throw InputError(origin + ": expected a JSON object with \"format\": \"" + kProfileFormat +
                     "\" (written by lockstep calibrate --probe)");
  CpuProfile p;
  p.note = j.value("note", std::string());
  const auto kernel = j.find("gemm_kernel");
  if (kernel == j.end() || !kernel->is_string() || !cpu_kernel(kernel->get<std::string>()))
    throw InputError(origin + ": 'gemm_kernel' must name the GEMM kernel the profile was probed " +
                     "on (" + known_kernel_names() + "); a profile without it predates " +
                     "kernel-aware pricing: run lockstep calibrate --probe again");
  p.probe.gemm_kernel = kernel->get<std::string>();
  p.probe.bandwidth = positive_field(j, "bandwidth_bytes_per_s", origin);
  p.probe.gemm_ops = positive_field(j, "gemm_ops_per_s", origin);
  p.probe.attention_ops = positive_field(j, "attention_ops_per_s", origin);
  p.probe.step_seconds = positive_field(j, "step_seconds", origin);
  p.probe.pack_bandwidth = positive_field(j, "pack_bytes_per_s", origin);
  if (j.contains("fitted")) {
    const auto& f = j["fitted"];
    const std::string where = origin + " (fitted)";
    p.fitted.bandwidth_fraction = positive_field(f, "bandwidth_fraction", where);
    p.fitted.compute_fraction = positive_field(f, "compute_fraction", where);
    p.fitted.attention_fraction = positive_field(f, "attention_fraction", where);
    p.fitted.pack_fraction = positive_field(f, "pack_fraction", where);
    p.fitted.launch_seconds = positive_field(f, "step_seconds", where);
    p.has_fit = true;
  }
  return p;
}

CpuProfile load_cpu_profile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read the cpu profile " + path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_cpu_profile(text.str(), path);
}

}  // namespace lockstep::sim
