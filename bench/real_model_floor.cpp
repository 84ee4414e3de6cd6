// The Eigen GEMM floor of a GGUF Llama model: the time Eigen's single-threaded float32 GEMMs
// take for the matrix products of one forward pass (Q, K, V, O, gate, up, down in every layer,
// and the head), at M tokens per pass, with the file's shapes and random weights. Attention,
// norms and everything that is not a weight GEMM are left out, so no real implementation can
// be faster than this on one core: it is the yardstick scripts/bench-real-model.sh divides
// lockstep's measured time per token by. Prints one JSON object; not a test.
#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "gguf/gguf.h"

namespace {

struct Shape {
  int in;
  int out;
};

std::vector<Shape> pass_shapes(const lockstep::gguf::LlamaHParams& h) {
  const int d = static_cast<int>(h.d_model);
  const int q = static_cast<int>(h.n_heads * h.head_dim);
  const int kv = static_cast<int>(h.n_kv_heads * h.head_dim);
  const int f = static_cast<int>(h.ffn);
  std::vector<Shape> shapes;
  for (std::uint32_t layer = 0; layer < h.n_layers; ++layer) {
    for (Shape s : {Shape{d, q}, Shape{d, kv}, Shape{d, kv}, Shape{q, d}, Shape{d, f}, Shape{d, f},
                    Shape{f, d}})
      shapes.push_back(s);
  }
  shapes.push_back({d, static_cast<int>(h.vocab)});
  return shapes;
}

// Seconds of one pass at `tokens` rows: the median of `repeats` timed passes after one warm-up.
double pass_seconds(const std::vector<Shape>& shapes, int tokens, int repeats) {
  std::vector<Eigen::MatrixXf> weights;
  std::vector<Eigen::MatrixXf> inputs;
  std::vector<Eigen::MatrixXf> outputs;
  for (const Shape& s : shapes) {
    weights.push_back(Eigen::MatrixXf::Random(s.out, s.in));
    inputs.push_back(Eigen::MatrixXf::Random(s.in, tokens));
    outputs.emplace_back(s.out, tokens);
  }
  std::vector<double> times;
  for (int r = 0; r <= repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < shapes.size(); ++i) outputs[i].noalias() = weights[i] * inputs[i];
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    if (r > 0) times.push_back(took.count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: real_model_floor MODEL.gguf TOKENS_PER_PASS [REPEATS]\n");
    return 2;
  }
  try {
    Eigen::setNbThreads(1);
    const lockstep::gguf::File file(argv[1]);
    const auto shapes = pass_shapes(lockstep::gguf::llama_hparams(file));
    const int tokens = std::stoi(argv[2]);
    const int repeats = argc > 3 ? std::stoi(argv[3]) : 5;
    if (tokens < 1 || repeats < 1)
      throw std::invalid_argument("TOKENS_PER_PASS and REPEATS must be >= 1");
    const double seconds = pass_seconds(shapes, tokens, repeats);
    std::printf(
        "{\"tokens_per_pass\": %d, \"gemms\": %zu, \"pass_s\": %.6g, \"s_per_token\": %.6g}\n",
        tokens, shapes.size(), seconds, seconds / tokens);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "real_model_floor: %s\n", e.what());
    return 2;
  }
}
