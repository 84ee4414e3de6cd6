// The cpu backend on a loaded model file (docs/numerics.md §13), for two tests:
//
//   loaded_model_check agree MODEL FILE MIN_PERCENT
//       FILE holds lines "line | prompt ids | float32 ids" (tests/tools/smollm2_forward.py
//       generate: the float32 numpy model's greedy continuation). Each line runs as one packed
//       pass of prompt + continuation (teacher forcing); a position agrees when the backend's
//       argmax equals the float32 model's next token. Prints the figures; exits 1 below
//       MIN_PERCENT.
//   loaded_model_check greedy MODEL TOKENS "IDS"
//       Greedy decoding of TOKENS new tokens after the prompt IDS (space-separated), each step
//       one pass over the whole sequence (equal to incremental decoding by the contract's
//       invariance); prints the ids (for the results doc's sample text).
//   loaded_model_check golden MODEL
//       Prints the loaded_model records of tests/golden/loaded_v2.txt (without its header):
//       logits, argmax, per-token digests and KV digest of fixed prompts, as test_numerics'
//       `model` records do for the generated presets.
//
// Exits 77 (skipped) when MODEL does not exist. Not a product entry point.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "loaded/loaded_model.h"
#include "reference/cpu_backend.h"
#include "sim/hash.h"
#include "tests/one_row_pass.h"

namespace {

using lockstep::sim::Token;

struct Run {
  std::vector<float> logits;
  std::vector<Token> argmax;
  std::vector<std::uint64_t> digests;
  std::uint64_t kv = 0;
};

// One packed pass of `tokens` at positions 0..N-1 into an empty cache row of `capacity`.
Run run(lockstep::reference::CpuBackend& backend, const lockstep::sim::ModelConfig& config,
        const std::vector<Token>& tokens, int capacity) {
  const auto cache = backend.create_cache(config, 1, capacity);
  const auto out = backend.forward_packed(lockstep::test::one_row_pass(cache, tokens));
  return {backend.last_logits(), out.argmax, out.digest,
          backend.kv_digest(cache, 0, 0, static_cast<int>(tokens.size()))};
}

std::vector<Token> parse_ids(const std::string& text) {
  std::istringstream in(text);
  std::vector<Token> ids;
  for (Token t; in >> t;) ids.push_back(t);
  return ids;
}

int agree(const lockstep::sim::ModelConfig& config, const std::string& path, double min_percent) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "loaded_model_check: cannot read " << path << "\n";
    return 2;
  }
  lockstep::reference::CpuBackend backend;
  long agreeing = 0, total = 0;
  for (std::string line; std::getline(in, line);) {
    const auto bar1 = line.find('|'), bar2 = line.rfind('|');
    if (bar1 == std::string::npos || bar2 == bar1) continue;
    const std::vector<Token> prompt = parse_ids(line.substr(bar1 + 1, bar2 - bar1 - 1));
    const std::vector<Token> expected = parse_ids(line.substr(bar2 + 1));
    std::vector<Token> seq = prompt;
    seq.insert(seq.end(), expected.begin(), expected.end() - 1);
    const Run r = run(backend, config, seq, static_cast<int>(seq.size()));
    long here = 0;
    for (std::size_t i = 0; i < expected.size(); ++i)
      here += r.argmax[prompt.size() - 1 + i] == expected[i];
    std::cout << "prompt (SpecBench line " << parse_ids(line.substr(0, bar1)).at(0) << "): " << here
              << "/" << expected.size() << "\n";
    agreeing += here;
    total += static_cast<long>(expected.size());
  }
  const double percent = total ? 100.0 * static_cast<double>(agreeing) / total : 0.0;
  std::printf("teacher-forced agreement with float32: %ld/%ld = %.1f%% (required >= %.1f%%)\n",
              agreeing, total, percent, min_percent);
  return total > 0 && percent >= min_percent ? 0 : 1;
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string list(const std::vector<Token>& ids) {
  std::string s;
  for (Token t : ids) s += (s.empty() ? "" : ",") + std::to_string(t);
  return s;
}

template <typename T>
std::uint64_t fnv_le(const std::vector<T>& values) {
  lockstep::sim::Fnv1a h;
  for (const T& v : values) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &v, sizeof bytes);  // little-endian host (x86-64, as the contract)
    h.update(std::string_view(bytes, sizeof bytes));
  }
  return h.value();
}

int greedy(const lockstep::sim::ModelConfig& config, int count, const std::string& ids) {
  lockstep::reference::CpuBackend backend;
  std::vector<Token> seq = parse_ids(ids);
  const std::size_t prompt = seq.size();
  for (int step = 0; step < count; ++step)
    seq.push_back(run(backend, config, seq, static_cast<int>(seq.size())).argmax.back());
  for (std::size_t i = prompt; i < seq.size(); ++i) std::cout << (i > prompt ? " " : "") << seq[i];
  std::cout << "\n";
  return 0;
}

int golden(const lockstep::sim::ModelConfig& config) {
  // The chat-formatted "What is the capital of France?" and a plain sentence (ids from the
  // model's tokenizer), and a derived draft of the first 4 layers on the first.
  const std::vector<std::vector<Token>> prompts = {
      {1, 4093, 198, 1780, 314, 260, 3575, 282, 4649, 47, 2, 198, 1, 520, 9531, 198},
      {504, 2365, 6354, 16438, 27003, 690, 260, 23790, 2767, 30}};
  lockstep::reference::CpuBackend backend;
  backend.keep_logits(true);
  auto record = [&](const lockstep::sim::ModelConfig& c, const std::vector<Token>& prompt) {
    const Run r = run(backend, c, prompt, 64);
    std::cout << "loaded_model s:" << c.name << " i:" << c.n_layers << " i:64 t:" << list(prompt)
              << " -> u:" << hex(fnv_le(r.logits)) << " t:" << list(r.argmax)
              << " u:" << hex(fnv_le(r.digests)) << " u:" << hex(r.kv) << "\n";
  };
  for (const auto& p : prompts) record(config, p);
  record(lockstep::sim::derived_draft(config, 4), prompts[0]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "agree" && argc == 5) || (mode == "golden" && argc == 3) ||
        (mode == "greedy" && argc == 5))) {
    std::cerr << "usage: loaded_model_check agree MODEL FILE MIN_PERCENT | golden MODEL | greedy "
                 "MODEL TOKENS IDS\n";
    return 2;
  }
  const std::string model = argv[2];
  if (!std::filesystem::exists(model)) {
    std::cout << "skipped: no model file at " << model << "\n";
    return 77;
  }
  try {
    const auto config = lockstep::loaded::model_config(model, "smollm2-135m");
    if (mode == "agree") return agree(config, argv[3], std::stod(argv[4]));
    if (mode == "greedy") return greedy(config, std::stoi(argv[3]), argv[4]);
    return golden(config);
  } catch (const std::exception& e) {
    std::cerr << "loaded_model_check: " << e.what() << "\n";
    return 1;
  }
}
