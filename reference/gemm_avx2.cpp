#include "reference/gemm_avx2.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define LOCKSTEP_HAVE_X86 1
#endif

namespace lockstep::reference {

std::vector<std::int8_t> pack_int8_rows(const Eigen::MatrixXd& values) {
  const Eigen::Index kp = padded_k(values.cols());
  std::vector<std::int8_t> out(static_cast<std::size_t>(values.rows() * kp), 0);
  for (Eigen::Index r = 0; r < values.rows(); ++r)
    for (Eigen::Index c = 0; c < values.cols(); ++c)
      out[static_cast<std::size_t>(r * kp + c)] = static_cast<std::int8_t>(values(r, c));
  return out;
}

#if defined(LOCKSTEP_HAVE_X86)

bool avx2_available() {
  return __builtin_cpu_supports("avx2");
}

namespace {

__attribute__((target("avx2"))) std::int32_t lane_sum(__m256i v) {
  const __m128i half = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  const __m128i pairs = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4e));
  return _mm_cvtsi128_si32(_mm_add_epi32(pairs, _mm_shuffle_epi32(pairs, 0xb1)));
}

__attribute__((target("avx2"))) __m256i load_w(const std::int8_t* w) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w)));
}

__attribute__((target("avx2"))) __m256i madd(__m256i sum, const std::int16_t* x, __m256i w) {
  const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x));
  return _mm256_add_epi32(sum, _mm256_madd_epi16(xv, w));
}

}  // namespace

// Four token rows per weight row: each weight vector is loaded and widened once for four dot
// products.
__attribute__((target("avx2"))) void int8_gemm_avx2(const std::int16_t* x, Eigen::Index n,
                                                    Eigen::Index kp, const std::int8_t* w,
                                                    Eigen::Index begin, Eigen::Index end,
                                                    Eigen::MatrixXd& acc) {
  double* out_base = acc.data();  // column-major [n, out]: channel o's column is contiguous
  for (Eigen::Index o = begin; o < end; ++o) {
    const std::int8_t* wr = w + o * kp;
    double* out = out_base + o * n;
    Eigen::Index i = 0;
    for (; i + 4 <= n; i += 4) {
      const std::int16_t* x0 = x + i * kp;
      __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
      for (Eigen::Index k = 0; k < kp; k += 16) {
        const __m256i wv = load_w(wr + k);
        s0 = madd(s0, x0 + k, wv);
        s1 = madd(s1, x0 + kp + k, wv);
        s2 = madd(s2, x0 + 2 * kp + k, wv);
        s3 = madd(s3, x0 + 3 * kp + k, wv);
      }
      out[i] = lane_sum(s0);
      out[i + 1] = lane_sum(s1);
      out[i + 2] = lane_sum(s2);
      out[i + 3] = lane_sum(s3);
    }
    for (; i < n; ++i) {
      __m256i s = _mm256_setzero_si256();
      for (Eigen::Index k = 0; k < kp; k += 16) s = madd(s, x + i * kp + k, load_w(wr + k));
      out[i] = lane_sum(s);
    }
  }
}

#else

bool avx2_available() {
  return false;
}

void int8_gemm_avx2(const std::int16_t*, Eigen::Index, Eigen::Index, const std::int8_t*,
                    Eigen::Index, Eigen::Index, Eigen::MatrixXd&) {
  // Never called: avx2_available() is false on this architecture.
}

#endif

}  // namespace lockstep::reference
