// An independent re-implementation of the "exact" numerics contract written from
// docs/numerics.md alone (plain loops, no Eigen, no lockstep header), to check that the text
// is complete: it prints the generator, table and model records of the golden file in the
// golden format, and scripts compare them with tests/golden/numerics_v1.txt. Not a test of
// the suite (the suite pins the real implementation); a check of the document.
//
// Build and compare, from the repository root (bash; one command line each, split here):
//   g++ -std=c++20 -O2 -ffp-contract=off -fno-fast-math tests/tools/numerics_from_doc.cpp
//       -o numerics_from_doc
//   { ./numerics_from_doc; ./numerics_from_doc --elementwise < tests/golden/numerics_v1.txt; }
//       > got.txt; sed 's/  #.*//' tests/golden/numerics_v1.txt | grep -vxFf - got.txt
// The last command prints every line that is not a golden record (nothing: all reproduced);
// `wc -l got.txt` counts the records checked.
#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using u64 = std::uint64_t;

// ---- §8: mixing, FNV-1a ----
u64 mix64(u64 x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
u64 combine(u64 h, u64 v) {
  return mix64(h * 0xff51afd7ed558ccdULL + v);
}

struct Fnv {
  u64 h = 0xcbf29ce484222325ULL;
  void byte(unsigned b) { h = (h ^ b) * 0x100000001b3ULL; }
  void le(u64 v, int bytes) {
    for (int i = 0; i < bytes; ++i) byte(static_cast<unsigned>((v >> (8 * i)) & 0xff));
  }
  void f32(float f) { le(std::bit_cast<std::uint32_t>(f), 4); }
};

// ---- §2: elementwise ----
float round_even(float x) {
  return std::rint(x);
}
int to_int8(float x) {
  if (!(x > -127.0f)) x = x == x ? -127.0f : 0.0f;
  if (x > 127.0f) x = 127.0f;
  return static_cast<int>(round_even(x));
}
float activation_scale(float amax) {
  return amax >= 0x1p-126f ? amax / 127.0f : 1.0f;
}
int quantize(float x, float s) {
  return to_int8(x / s);
}
float dequantize(std::int32_t acc, float cs, float ts) {
  const float s = cs * ts;
  return static_cast<float>(acc) * s;
}
float rms_factor(std::int64_t ss, int d) {
  const float mean = static_cast<float>(ss) / static_cast<float>(d);
  const float t = mean + std::bit_cast<float>(0x358637bdu);
  const float r = std::sqrt(t);
  return 1.0f / r;
}
float exp_exact(float x) {
  if (x != x) return x;
  if (x < -87.0f) return 0.0f;
  if (x > 88.0f) x = 88.0f;
  const float n = round_even(x * std::bit_cast<float>(0x3fb8aa3bu));
  const float hi = n * std::bit_cast<float>(0x3f317200u);
  const float lo = n * std::bit_cast<float>(0x35bfbe8eu);
  const float r = (x - hi) - lo;
  float p = std::bit_cast<float>(0x3ab60b61u);
  p = p * r + std::bit_cast<float>(0x3c088889u);
  p = p * r + std::bit_cast<float>(0x3d2aaaabu);
  p = p * r + std::bit_cast<float>(0x3e2aaaabu);
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int e = static_cast<int>(n);
  if (e < -126) return 0.0f;
  return p * std::bit_cast<float>(static_cast<std::uint32_t>(e + 127) << 23);
}
float silu(float g) {
  return g < -87.0f ? -0.0f : g / (1.0f + exp_exact(-g));
}
int softmax_weight(float score, float m) {
  return static_cast<int>(round_even(exp_exact(score - m) * 127.0f));
}
float attention_output(std::int32_t ws, std::int32_t z, float vs) {
  return z == 0 ? 0.0f : static_cast<float>(ws) * vs / static_cast<float>(z);
}

// ---- §8: weights ----
struct Tensor {
  int rows = 0, cols = 0;
  std::vector<int> v;  // [rows, cols]
  std::vector<float> scale;
};
u64 tensor_id(int kind, int layer) {
  return (static_cast<u64>(layer + 1) << 8) | kind;
}
Tensor make_tensor(u64 seed, u64 id, int rows, int cols, double gain) {
  Tensor t{rows, cols, {}, {}};
  const u64 base = combine(seed, id);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const u64 h = mix64(combine(base, static_cast<u64>(r) * cols + c));
      t.v.push_back(static_cast<int>(h % 255) - 127);
    }
    const u64 h = mix64(combine(base, (1ULL << 62) + r));
    const double u = static_cast<double>(h >> 40) / 16777216.0;
    t.scale.push_back(static_cast<float>((0.75 + u / 2) / (gain * std::sqrt(double(cols)))));
  }
  return t;
}

// ---- §6, §7 ----
void rope(int D, int positions, std::vector<float>& cs, std::vector<float>& sn) {
  for (int p = 0; p < positions; ++p) {
    for (int j = 0; j < D / 2; ++j) {
      const double theta = std::pow(10000.0, -2.0 * j / static_cast<double>(D));
      const double angle = static_cast<double>(p) * theta;
      cs.push_back(static_cast<float>(std::cos(angle)));
      sn.push_back(static_cast<float>(std::sin(angle)));
    }
  }
}
const float kKv = 4.0f / 127.0f;
float score_scale(int D) {
  return static_cast<float>(static_cast<double>(kKv) / std::sqrt(static_cast<double>(D)));
}

// ---- §5 ----
using Mat = std::vector<std::vector<float>>;
struct Quant {
  std::vector<std::vector<int>> q;
  std::vector<float> factor;
};
Quant quantize_rows(const Mat& x, bool rms) {
  Quant out;
  for (const auto& row : x) {
    float amax = 0.0f;
    for (float v : row) amax = std::fabs(v) > amax ? std::fabs(v) : amax;
    const float s = activation_scale(amax);
    std::vector<int> q;
    std::int64_t ss = 0;
    for (float v : row) q.push_back(quantize(v, s)), ss += q.back() * q.back();
    out.factor.push_back(rms ? rms_factor(ss, static_cast<int>(row.size())) : s);
    out.q.push_back(std::move(q));
  }
  return out;
}
Mat project(const Quant& x, const Tensor& w) {
  Mat y(x.q.size(), std::vector<float>(w.rows));
  for (std::size_t i = 0; i < x.q.size(); ++i) {
    for (int o = 0; o < w.rows; ++o) {
      std::int32_t acc = 0;
      for (int j = 0; j < w.cols; ++j) acc += x.q[i][j] * w.v[o * w.cols + j];
      y[i][o] = dequantize(acc, w.scale[o], x.factor[i]);
    }
  }
  return y;
}
void add_into(Mat& h, const Mat& y) {
  for (std::size_t i = 0; i < h.size(); ++i)
    for (std::size_t j = 0; j < h[i].size(); ++j) h[i][j] = h[i][j] + y[i][j];
}

struct Config {
  const char* name;
  int V, d, L, H, G, F;
};
struct Cache {  // one row: per layer K [S, G*D] and V^T [G*D, S]
  int S, kvw;
  std::vector<std::vector<int>> k, vt;
};

struct Weights {
  Tensor emb, head;
  std::vector<std::vector<Tensor>> layer;  // wq wk wv wo wg wu wd
};
Weights make_weights(const Config& c, u64 seed) {
  const int D = c.d / c.H;
  Weights w{make_tensor(seed, tensor_id(0, -1), c.V, c.d, 73),
            make_tensor(seed, tensor_id(1, -1), c.V, c.d, 18.25),
            {}};
  for (int l = 0; l < c.L; ++l) {
    const double res = 292.0 * std::pow(2.0, l);
    w.layer.push_back({make_tensor(seed, tensor_id(2, l), c.H * D, c.d, 73),
                       make_tensor(seed, tensor_id(3, l), c.G * D, c.d, 73),
                       make_tensor(seed, tensor_id(4, l), c.G * D, c.d, 73),
                       make_tensor(seed, tensor_id(5, l), c.d, c.H * D, res),
                       make_tensor(seed, tensor_id(6, l), c.F, c.d, 73),
                       make_tensor(seed, tensor_id(7, l), c.F, c.d, 73),
                       make_tensor(seed, tensor_id(8, l), c.d, c.F, res)});
  }
  return w;
}

// Steps 2 and 3 of §5.3: RoPE on Q and K, then K and V into the cache, token i at slot i.
void rope_and_write(const Config& c, int l, Mat& q, Mat& k, const Mat& v, Cache& cache) {
  const int D = c.d / c.H;
  std::vector<float> cs, sn;
  rope(D, static_cast<int>(q.size()), cs, sn);
  for (std::size_t i = 0; i < q.size(); ++i) {
    auto rot = [&](std::vector<float>& x, int heads) {
      for (int h = 0; h < heads; ++h) {
        for (int j = 0; j < D / 2; ++j) {
          const float co = cs[i * (D / 2) + j], si = sn[i * (D / 2) + j];
          float& x0 = x[h * D + 2 * j];
          float& x1 = x[h * D + 2 * j + 1];
          const float a = x0 * co, b = x1 * si, dd = x0 * si, e = x1 * co;
          x0 = a - b;
          x1 = dd + e;
        }
      }
    };
    rot(q[i], c.H);
    rot(k[i], c.G);
    for (int ch = 0; ch < cache.kvw; ++ch) {
      cache.k[l][i * cache.kvw + ch] = quantize(k[i][ch], kKv);
      cache.vt[l][ch * cache.S + i] = quantize(v[i][ch], kKv);
    }
  }
}

// Step 4 of §5.3 for a packed pass: token i sees slots 0..i.
Mat attention(const Config& c, int l, const Mat& q, const Cache& cache) {
  const int D = c.d / c.H, n = static_cast<int>(q.size());
  const float sc = score_scale(D);
  Mat a(n, std::vector<float>(c.H * D));
  for (int i = 0; i < n; ++i) {
    for (int h = 0; h < c.H; ++h) {
      const int g = h / (c.H / c.G);
      float qa = 0.0f;
      for (int j = 0; j < D; ++j)
        qa = std::fabs(q[i][h * D + j]) > qa ? std::fabs(q[i][h * D + j]) : qa;
      const float qs = activation_scale(qa);
      std::vector<int> q8;
      for (int j = 0; j < D; ++j) q8.push_back(quantize(q[i][h * D + j], qs));
      std::vector<float> score;
      float m = -INFINITY;
      for (int v = 0; v <= i; ++v) {
        std::int32_t acc = 0;
        for (int j = 0; j < D; ++j) acc += q8[j] * cache.k[l][v * cache.kvw + g * D + j];
        score.push_back(dequantize(acc, qs, sc));
        m = score.back() > m ? score.back() : m;
      }
      std::vector<int> w;
      std::int32_t z = 0;
      for (float s : score) w.push_back(softmax_weight(s, m)), z += w.back();
      for (int j = 0; j < D; ++j) {
        std::int32_t pv = 0;
        for (int v = 0; v <= i; ++v) pv += w[v] * cache.vt[l][(g * D + j) * cache.S + v];
        a[i][h * D + j] = attention_output(pv, z, kKv);
      }
    }
  }
  return a;
}

void model_record(const Config& c, const std::vector<int>& tokens) {
  const u64 seed = 1;
  const int S = 64, n = static_cast<int>(tokens.size()), D = c.d / c.H;
  const Weights w = make_weights(c, seed);
  Cache cache{S, c.G * D, {}, {}};
  cache.k.assign(c.L, std::vector<int>(S * cache.kvw, 0));
  cache.vt = cache.k;
  Mat h;
  for (int t : tokens) {
    h.emplace_back();
    for (int j = 0; j < c.d; ++j) h.back().push_back(float(w.emb.v[t * c.d + j]) * w.emb.scale[t]);
  }
  for (int l = 0; l < c.L; ++l) {
    const auto& W = w.layer[l];
    const Quant x = quantize_rows(h, true);
    Mat q = project(x, W[0]), k = project(x, W[1]);
    const Mat v = project(x, W[2]);
    rope_and_write(c, l, q, k, v, cache);
    add_into(h, project(quantize_rows(attention(c, l, q, cache), false), W[3]));
    const Quant xm = quantize_rows(h, true);
    const Mat gate = project(xm, W[4]), up = project(xm, W[5]);
    Mat act = gate;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < c.F; ++j) act[i][j] = silu(gate[i][j]) * up[i][j];
    add_into(h, project(quantize_rows(act, false), W[6]));
  }
  const Mat logits = project(quantize_rows(h, true), w.head);
  Fnv all, digests;
  std::string argmax, prompt;
  for (int i = 0; i < n; ++i) {
    u64 dg = mix64(static_cast<u64>(c.V));
    int best = 0;
    for (int t = 0; t < c.V; ++t) {
      all.f32(logits[i][t]);
      dg = combine(dg, std::bit_cast<std::uint32_t>(logits[i][t]));
      if (logits[i][t] > logits[i][best]) best = t;
    }
    digests.le(dg, 8);
    argmax += (i ? "," : "") + std::to_string(best);
    prompt += (i ? "," : "") + std::to_string(tokens[i]);
  }
  u64 kv = mix64(static_cast<u64>(n));
  for (int l = 0; l < c.L; ++l)
    for (int s = 0; s < n; ++s)
      for (int ch = 0; ch < cache.kvw; ++ch)
        kv = combine(kv, (static_cast<u64>(cache.k[l][s * cache.kvw + ch] & 0xff) << 8) |
                             static_cast<u64>(cache.vt[l][ch * S + s] & 0xff));
  std::printf("model s:%s u:%016" PRIx64 " i:%d t:%s -> u:%016" PRIx64 " t:%s u:%016" PRIx64
              " u:%016" PRIx64 "\n",
              c.name, seed, S, prompt.c_str(), all.h, argmax.c_str(), digests.h, kv);
}

void generator_records() {
  struct T {
    int kind, layer, rows, cols;
    double gain;
  };
  for (T t : {T{0, -1, 256, 64, 73}, T{1, -1, 256, 64, 18.25}, T{2, 0, 64, 64, 73},
              T{5, 1, 64, 64, 584}, T{8, 1, 64, 128, 584}}) {
    const u64 id = tensor_id(t.kind, t.layer);
    const Tensor m = make_tensor(1, id, t.rows, t.cols, t.gain);
    Fnv values, scales;
    for (int v : m.v) values.byte(static_cast<unsigned>(v) & 0xff);
    for (float s : m.scale) scales.f32(s);
    std::printf("weight_tensor u:%016" PRIx64 " u:%016" PRIx64 " i:%d i:%d d:%016" PRIx64
                " -> u:%016" PRIx64 " u:%016" PRIx64 "\n",
                u64{1}, id, t.rows, t.cols, std::bit_cast<u64>(t.gain), values.h, scales.h);
  }
  std::printf("kv_scale -> f:%08x\n", std::bit_cast<std::uint32_t>(kKv));
  for (int D : {16, 32, 64, 128})
    std::printf("score_scale i:%d -> f:%08x\n", D, std::bit_cast<std::uint32_t>(score_scale(D)));
  for (auto [D, p] : {std::pair{16, 64}, {32, 64}, {64, 4096}, {128, 4096}}) {
    std::vector<float> cs, sn;
    rope(D, p, cs, sn);
    Fnv f;
    for (float x : cs) f.f32(x);
    for (float x : sn) f.f32(x);
    std::printf("rope_table i:%d i:%d -> u:%016" PRIx64 "\n", D, p, f.h);
  }
}

// One elementwise record "fn <inputs> -> <outputs>" of the golden file, evaluated here;
// returns the outputs as the golden file writes them, or "" for a record this tool skips.
std::string evaluate(const std::string& fn, const std::vector<std::string>& in) {
  std::vector<float> f;
  std::vector<long long> i;
  for (const auto& t : in) {
    if (t.starts_with("f:"))
      f.push_back(std::bit_cast<float>(static_cast<std::uint32_t>(std::stoul(t.substr(2), 0, 16))));
    if (t.starts_with("i:")) i.push_back(std::stoll(t.substr(2)));
  }
  std::vector<u64> u;
  std::vector<double> d;
  for (const auto& t : in) {
    if (t.starts_with("u:")) u.push_back(std::stoull(t.substr(2), 0, 16));
    if (t.starts_with("d:")) d.push_back(std::bit_cast<double>(std::stoull(t.substr(2), 0, 16)));
  }
  char out[64] = "";
  if (fn == "mix64") std::snprintf(out, sizeof out, "u:%016" PRIx64, mix64(u[0]));
  if (fn == "combine") std::snprintf(out, sizeof out, "u:%016" PRIx64, combine(u[0], u[1]));
  if (fn == "tensor_id") {
    const u64 id = tensor_id(static_cast<int>(i[0]), static_cast<int>(i[1]));
    std::snprintf(out, sizeof out, "u:%016" PRIx64, id);
  }
  if (fn == "weight_value") {
    const u64 h = mix64(combine(combine(u[0], u[1]), u[2]));
    std::snprintf(out, sizeof out, "i:%d", static_cast<int>(h % 255) - 127);
  }
  if (fn == "channel_scale") {
    const u64 h = mix64(combine(combine(u[0], u[1]), (1ULL << 62) + u[2]));
    const double unit = static_cast<double>(h >> 40) / 16777216.0;
    const auto k = static_cast<double>(i[0]);
    const float scale = static_cast<float>((0.75 + unit / 2) / (d[0] * std::sqrt(k)));
    std::snprintf(out, sizeof out, "f:%08x", std::bit_cast<std::uint32_t>(scale));
  }
  auto F = [](float x) { return std::bit_cast<std::uint32_t>(x); };
  if (fn == "round_even") std::snprintf(out, sizeof out, "f:%08x", F(round_even(f[0])));
  if (fn == "to_int8") std::snprintf(out, sizeof out, "i:%d", to_int8(f[0]));
  if (fn == "activation_scale") std::snprintf(out, sizeof out, "f:%08x", F(activation_scale(f[0])));
  if (fn == "quantize") std::snprintf(out, sizeof out, "i:%d", quantize(f[0], f[1]));
  if (fn == "dequantize") {
    const float y = dequantize(static_cast<std::int32_t>(i[0]), f[0], f[1]);
    std::snprintf(out, sizeof out, "f:%08x", F(y));
  }
  if (fn == "rms_factor")
    std::snprintf(out, sizeof out, "f:%08x", F(rms_factor(i[0], static_cast<int>(i[1]))));
  if (fn == "exp_exact") std::snprintf(out, sizeof out, "f:%08x", F(exp_exact(f[0])));
  if (fn == "silu") std::snprintf(out, sizeof out, "f:%08x", F(silu(f[0])));
  if (fn == "rope_rotate") {
    const float a = f[0] * f[2], b = f[1] * f[3], d = f[0] * f[3], e = f[1] * f[2];
    std::snprintf(out, sizeof out, "f:%08x f:%08x", F(a - b), F(d + e));
  }
  if (fn == "softmax_weight") std::snprintf(out, sizeof out, "i:%d", softmax_weight(f[0], f[1]));
  if (fn == "attention_output") {
    const float y =
        attention_output(static_cast<std::int32_t>(i[0]), static_cast<std::int32_t>(i[1]), f[0]);
    std::snprintf(out, sizeof out, "f:%08x", F(y));
  }
  return out;
}

// Re-evaluates every elementwise record of the golden file read from stdin; prints each line
// it reproduces as "fn <inputs> -> <outputs>" (so the same comparison covers it).
void elementwise_records() {
  char buf[4096];
  while (std::fgets(buf, sizeof buf, stdin)) {
    std::string line(buf);
    line = line.substr(0, line.find("  #"));
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    const auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    std::vector<std::string> tokens;
    std::size_t at = 0;
    const std::string lhs = line.substr(0, arrow);
    while (at <= lhs.size()) {
      const auto end = std::min(lhs.find(' ', at), lhs.size());
      tokens.push_back(lhs.substr(at, end - at));
      at = end + 1;
    }
    const std::string got =
        evaluate(tokens[0], std::vector<std::string>(tokens.begin() + 1, tokens.end()));
    if (!got.empty()) std::printf("%s -> %s\n", lhs.c_str(), got.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  // With "--elementwise", read the golden file on stdin and re-evaluate its elementwise rows.
  if (argc > 1 && std::string(argv[1]) == "--elementwise") {
    elementwise_records();
    return 0;
  }
  generator_records();
  std::vector<int> tiny, small;
  for (int i = 1; i <= 16; ++i) tiny.push_back(i);
  for (int i = 0; i < 32; ++i) small.push_back((37 * i + 11) % 512);
  model_record({"tiny", 256, 64, 2, 4, 2, 128}, tiny);
  model_record({"small", 512, 256, 4, 8, 4, 512}, small);
  return 0;
}
