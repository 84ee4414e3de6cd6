// One-off measurements behind the figures of docs/numerics.md: not a test, not built by the
// suite (a full exp scan takes minutes). Each subcommand prints what it counted, so the doc's
// numbers can be re-derived from the contract's own functions (numerics/numerics.h):
//
//   exp [threads]  every f32 x in [-87, 88] (-0 and +0 included): ulp distance of exp_exact(x)
//                  from the correctly rounded exp(x), and the descents of exp_exact;
//   exp-reference [stride]  (only where <mpfr.h> exists; link -lmpfr) the expl reference
//                  against MPFR on every stride-th float, and expl's own error;
//   silu           where silu(g) == g starts (scanning every f32 in [1, 88]);
//   rms            for which means the 1e-6 epsilon of rms_factor changes t and the factor;
//   facts          constants, bit patterns, bounds and thresholds quoted in the doc.
//
// The correctly rounded reference is glibc's x87 expl (64-bit significand, documented error
// at most 1 ulp of long double) rounded once to f32. That rounding equals the rounding of the
// true exp(x) unless an f32 rounding boundary (a midpoint between two floats) lies within the
// expl error of the long double result; every such "unresolved" case is counted and must be 0
// for the scan to certify its reference (exp(x) of a nonzero float is transcendental, so it is
// never exactly a midpoint).
//
// Build, from the repository root (one command line, split here; x86-64 and glibc for expl;
// add -lmpfr where MPFR's header is installed, e.g. Debian's libmpfr-dev):
//   g++ -std=c++20 -O2 -ffp-contract=off -fno-fast-math -pthread -I.
//       tests/tools/measure_numerics.cpp -o measure_numerics -lmpfr
#include <algorithm>
#include <bit>
#include <cfloat>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "numerics/numerics.h"

#if __has_include(<mpfr.h>)
#include <mpfr.h>
#define LOCKSTEP_HAVE_MPFR 1
#endif

namespace nx = lockstep::numerics;

namespace {

std::uint32_t bits(float f) {
  return std::bit_cast<std::uint32_t>(f);
}
float from_bits(std::uint32_t b) {
  return std::bit_cast<float>(b);
}

// Position of a float on the number line as an integer (monotone in the float's value).
std::int64_t ordinal(float f) {
  const std::uint32_t b = bits(f);
  return (b & 0x80000000u) ? -static_cast<std::int64_t>(b & 0x7fffffffu)
                           : static_cast<std::int64_t>(b);
}
float from_ordinal(std::int64_t o) {
  return o < 0 ? from_bits(static_cast<std::uint32_t>(-o) | 0x80000000u)
               : from_bits(static_cast<std::uint32_t>(o));
}

// Correctly rounded f32 exp(x) for x in [-87, 88] (results are normal floats there); sets
// `unresolved` when an f32 midpoint lies within 2 ulp of long double of expl's result.
float exp_correctly_rounded(float x, bool& unresolved) {
  const long double y = expl(static_cast<long double>(x));
  const float f = static_cast<float>(y);
  const long double ulp_ld = std::ldexp(1.0L, std::ilogb(y) - 63);
  const long double up = (static_cast<long double>(std::nextafter(f, FLT_MAX)) + f) / 2;
  const long double down = (static_cast<long double>(std::nextafter(f, 0.0f)) + f) / 2;
  unresolved = std::fabs(y - up) <= 2 * ulp_ld || std::fabs(y - down) <= 2 * ulp_ld;
  return f;
}

struct ExpCounts {
  std::uint64_t total = 0, unresolved = 0, descents = 0;
  std::uint64_t by_ulp[8] = {};  // [7] collects 7 and more
  std::int64_t max_ulp = 0;
  float worst_x = 0;
  int n_min = 1000, n_max = -1000;
};

// Scans ordinals [first, last]; a descent is exp_exact(next) < exp_exact(x) within the range
// (a chunk also evaluates its first element's predecessor so no boundary is missed).
void scan_exp(std::int64_t first, std::int64_t last, std::int64_t range_first, ExpCounts& c) {
  float prev = first > range_first ? nx::exp_exact(from_ordinal(first - 1)) : 0.0f;
  for (std::int64_t o = first; o <= last; ++o) {
    const float x = from_ordinal(o);
    const float got = nx::exp_exact(x);
    bool unresolved = false;
    const float want = exp_correctly_rounded(x, unresolved);
    const std::int64_t ulp = std::llabs(ordinal(got) - ordinal(want));
    ++c.total;
    c.unresolved += unresolved;
    ++c.by_ulp[ulp < 7 ? ulp : 7];
    if (ulp > c.max_ulp) c.max_ulp = ulp, c.worst_x = x;
    if (o > range_first && got < prev) ++c.descents;
    prev = got;
    const int n = static_cast<int>(nx::round_even(x * 1.44269502f));
    c.n_min = n < c.n_min ? n : c.n_min;
    c.n_max = n > c.n_max ? n : c.n_max;
  }
}

int run_exp(int threads) {
  const std::int64_t lo = ordinal(-87.0f), hi = ordinal(88.0f);
  // -0 and +0 share ordinal 0: scan the negative half [lo, -1] plus -0, then [0, hi].
  std::vector<ExpCounts> parts(static_cast<std::size_t>(threads));
  std::vector<std::thread> pool;
  const std::int64_t span = (hi - lo + 1 + threads - 1) / threads;
  for (int t = 0; t < threads; ++t) {
    const std::int64_t a = lo + t * span, b = std::min(hi, a + span - 1);
    pool.emplace_back([a, b, lo, &parts, t] { scan_exp(a, b, lo, parts[t]); });
  }
  for (auto& th : pool) th.join();
  ExpCounts all;
  bool ignored = false;
  const float neg_zero = nx::exp_exact(-0.0f);  // the one float ordinal() merges with +0
  all.total = 1;
  all.by_ulp[std::llabs(ordinal(neg_zero) - ordinal(exp_correctly_rounded(-0.0f, ignored)))]++;
  for (const auto& p : parts) {
    all.total += p.total, all.unresolved += p.unresolved, all.descents += p.descents;
    for (int i = 0; i < 8; ++i) all.by_ulp[i] += p.by_ulp[i];
    if (p.max_ulp > all.max_ulp) all.max_ulp = p.max_ulp, all.worst_x = p.worst_x;
    all.n_min = std::min(all.n_min, p.n_min), all.n_max = std::max(all.n_max, p.n_max);
  }
  std::printf("exp_exact over every f32 in [-87, 88]: %" PRIu64 " inputs\n", all.total);
  for (int i = 0; i < 8; ++i) {
    std::printf("  %d%s ulp: %12" PRIu64 "  (%.6f%%)\n", i, i == 7 ? "+" : " ", all.by_ulp[i],
                100.0 * static_cast<double>(all.by_ulp[i]) / static_cast<double>(all.total));
  }
  std::printf("  max %" PRId64 " ulp, first at x = %a\n", all.max_ulp, all.worst_x);
  std::printf("  descents (exp_exact(next float) < exp_exact(x)): %" PRIu64 "\n", all.descents);
  std::printf("  n = round_even(x * L2E) in [%d, %d]\n", all.n_min, all.n_max);
  std::printf("  unresolved reference roundings: %" PRIu64 "\n", all.unresolved);
  return all.unresolved == 0 ? 0 : 1;
}

#if defined(LOCKSTEP_HAVE_MPFR)
// Checks the expl-based reference against MPFR on every `stride`-th f32 of [-87, 88]: MPFR's
// exp rounded to 24 bits is the correctly rounded f32 by MPFR's contract; a 128-bit MPFR exp
// also measures expl's own error in ulp of long double, the margin the scan assumes (2 ulp).
int run_exp_reference(std::int64_t stride) {
  mpfr_t xm, y24, y128, ld;
  mpfr_init2(xm, 24), mpfr_init2(y24, 24), mpfr_init2(y128, 128), mpfr_init2(ld, 64);
  std::uint64_t checked = 0, disagree = 0, unresolved_count = 0;
  double worst_ld_ulp = 0;
  for (std::int64_t o = ordinal(-87.0f); o <= ordinal(88.0f); o += stride) {
    const float x = from_ordinal(o);
    mpfr_set_flt(xm, x, MPFR_RNDN);
    mpfr_exp(y24, xm, MPFR_RNDN);
    mpfr_exp(y128, xm, MPFR_RNDN);
    bool unresolved = false;
    const float ref = exp_correctly_rounded(x, unresolved);
    ++checked;
    unresolved_count += unresolved;
    disagree += ref != mpfr_get_flt(y24, MPFR_RNDN);
    const long double y = expl(static_cast<long double>(x));
    mpfr_set_ld(ld, y, MPFR_RNDN);
    mpfr_sub(ld, ld, y128, MPFR_RNDN);  // error of expl, rounded to 64 bits (plenty)
    const double err = std::fabs(mpfr_get_d(ld, MPFR_RNDN));
    const double ulp_ld = static_cast<double>(std::ldexp(1.0L, std::ilogb(y) - 63));
    worst_ld_ulp = std::max(worst_ld_ulp, err / ulp_ld);
  }
  std::printf("expl reference against MPFR %s on every %" PRId64 "th f32 of [-87, 88]:\n",
              mpfr_get_version(), stride);
  std::printf("  %" PRIu64 " inputs, %" PRIu64
              " disagreements with MPFR's correctly rounded f32,"
              " %" PRIu64 " unresolved; expl error at most %.3f ulp of long double\n",
              checked, disagree, unresolved_count, worst_ld_ulp);
  mpfr_clears(xm, y24, y128, ld, static_cast<mpfr_ptr>(nullptr));
  return disagree == 0 ? 0 : 1;
}
#endif

int run_silu() {
  // Largest g with silu(g) != g (everything above it is the identity) and the smallest g with
  // 1 + exp_exact(-g) == 1 in f32.
  float last_differs = 0, first_one = 0;
  for (std::uint32_t b = bits(1.0f); b <= bits(88.0f); ++b) {
    const float g = from_bits(b);
    if (nx::silu(g) != g) last_differs = g;
    if (first_one == 0 && 1.0f + nx::exp_exact(-g) == 1.0f) first_one = g;
  }
  const float above = std::nextafter(last_differs, FLT_MAX);
  std::printf("silu: last g with silu(g) != g: %a = %.9g (%08x)\n", last_differs, last_differs,
              bits(last_differs));
  std::printf("      silu(g) == g for every f32 g >= %a = %.9g (%08x)\n", above, above,
              bits(above));
  std::printf("      first g with 1 + exp_exact(-g) == 1: %a = %.9g\n", first_one, first_one);
  std::printf("      exp_exact(-g) there: %a (2^-24 = %a); ln(2^24) = %.9f\n",
              nx::exp_exact(-above), 0x1p-24f, 24 * std::log(2.0));
  return 0;
}

float rms_without_eps(float mean) {
  return 1.0f / std::sqrt(mean);
}

int run_rms() {
  // Every f32 mean in [2^-17, 64): 2^-17 = 1/131072 is the smallest nonzero mean a row of
  // K <= 131072 int8 values can have.
  std::uint64_t means = 0, t_moved = 0, factor_moved = 0;
  float largest_t_moved = 0, largest_factor_moved = 0;
  std::uint64_t below32 = 0, factor_moved_below32 = 0;
  for (std::uint32_t b = bits(0x1p-17f); b < bits(64.0f); ++b) {
    const float mean = from_bits(b);
    const float t = mean + 1.0e-6f;
    const float with_eps = 1.0f / std::sqrt(t);
    ++means;
    below32 += mean < 32.0f;
    if (t != mean) ++t_moved, largest_t_moved = mean;
    if (with_eps != rms_without_eps(mean)) {
      ++factor_moved, largest_factor_moved = mean;
      factor_moved_below32 += mean < 32.0f;
    }
  }
  std::printf("rms_factor epsilon over %" PRIu64 " f32 means in [2^-17, 64):\n", means);
  std::printf("  t = mean + 1e-6f differs from mean for %" PRIu64 " means; largest %a = %.9g\n",
              t_moved, largest_t_moved, largest_t_moved);
  std::printf("  the factor 1/sqrt(t) differs for %" PRIu64 " of the %" PRIu64
              " means below 32 (%.2f%%); largest such mean %.9g\n",
              factor_moved_below32, below32,
              100.0 * static_cast<double>(factor_moved_below32) / static_cast<double>(below32),
              largest_factor_moved);
  std::printf("  factor moved at all for %" PRIu64 " means\n", factor_moved);
  // A nonzero row always has an element quantized to +-127 (amax / scale rounds to 127), so
  // its sum of squares is at least 16129 and its mean at least 16129 / K: below 32 only for
  // K > 504. Every such sum for K = 4096 (vicuna-7b's d):
  int moved = 0, sums = 0;
  for (std::int64_t sum = 16129; sum < 32 * 4096; ++sum, ++sums) {
    const float mean = static_cast<float>(sum) / 4096.0f;
    moved += nx::rms_factor(sum, 4096) != rms_without_eps(mean);
  }
  std::printf("  K = 4096: the factor moves for %d of the %d sums 16129..131071 (mean < 32)\n",
              moved, sums);
  std::printf("  rms_factor(0, K) = %a (bits %08x)\n", nx::rms_factor(0, 64),
              bits(nx::rms_factor(0, 64)));
  return 0;
}

void print_constant(const char* name, float f) {
  const std::uint32_t b = bits(f);
  const int fraction_zeros = std::countr_zero((b & 0x7fffffu) | 0x800000u);
  std::printf("  %-8s %08x %.9g  significant bits %d\n", name, b, f, 24 - fraction_zeros);
}

void facts_constants() {
  std::printf("constants:\n");
  print_constant("L2E", 1.44269502f);
  print_constant("LN2_HI", 0.693145752f);
  print_constant("LN2_LO", 1.42860677e-06f);
  print_constant("C6", 1.38888889e-03f);
  print_constant("C5", 8.33333377e-03f);
  print_constant("C4", 4.16666679e-02f);
  print_constant("C3", 1.66666672e-01f);
  print_constant("EPS", 1.0e-6f);
  print_constant("FLT_MIN", 1.17549435e-38f);
  print_constant("KV", 4.0f / 127.0f);
  std::printf("  LN2_HI + LN2_LO = %.12g (ln 2 = %.12g)\n",
              static_cast<double>(0.693145752f) + static_cast<double>(1.42860677e-06f),
              std::log(2.0));
  int exact_up_to = 0;
  for (int n = 1; n < 100000; ++n) {
    const double exact = static_cast<double>(n) * static_cast<double>(0.693145752f);
    if (static_cast<double>(static_cast<float>(n) * 0.693145752f) != exact) break;
    exact_up_to = n;
  }
  std::printf("  n * LN2_HI exact in f32 for every |n| <= %d\n", exact_up_to);
}

void facts_exp_and_scales() {
  std::printf("exp_exact: (-87) %08x, (88) %08x, (0) %08x, (-87.0001) %08x\n",
              bits(nx::exp_exact(-87.0f)), bits(nx::exp_exact(88.0f)), bits(nx::exp_exact(0.0f)),
              bits(nx::exp_exact(-87.0001f)));
  const float tie = 0x1.62e43p-2f, above = std::nextafter(tie, 1.0f);
  std::printf("  x = %a: x*L2E = %a, n = %g; next float up: x*L2E = %a, n = %g\n", tie,
              tie * 1.44269502f, nx::round_even(tie * 1.44269502f), above * 1.44269502f,
              nx::round_even(above * 1.44269502f));
  const float s = nx::activation_scale(FLT_MIN);
  std::printf("activation_scale(FLT_MIN) = %a (bits %08x, %s)\n", s, bits(s),
              std::fpclassify(s) == FP_SUBNORMAL ? "denormal" : "normal");
  float first_normal = FLT_MIN;
  while (std::fpclassify(nx::activation_scale(first_normal)) == FP_SUBNORMAL)
    first_normal = std::nextafter(first_normal, FLT_MAX);
  std::printf("  scales are denormal for amax in [FLT_MIN, %a) (= %.9g * FLT_MIN)\n", first_normal,
              first_normal / FLT_MIN);
  // softmax_weight(score, 0) == 0 below this difference.
  float zero_below = 0;
  for (float x = 0; x > -20.0f; x = std::nextafter(x, -FLT_MAX)) {
    if (nx::softmax_weight(x, 0.0f) == 0) {
      zero_below = x;
      break;
    }
  }
  std::printf("softmax_weight: first difference giving 0: %a = %.9g (ln(0.5/127) = %.9g)\n",
              zero_below, zero_below, std::log(0.5 / 127));
  std::printf("  127 * kKvScale = %.9g\n", 127.0f * (4.0f / 127.0f));
  for (int dh : {16, 32, 64, 128}) {
    const float sc =
        static_cast<float>(static_cast<double>(4.0f / 127.0f) / std::sqrt(static_cast<double>(dh)));
    std::printf("  score scale D=%d: %08x\n", dh, bits(sc));
  }
}

void facts_bounds() {
  const std::int64_t p = 127 * 127;
  std::printf("bounds: 127^2 * 131072 = %" PRId64 " (2^31 = %" PRId64 ")\n", p * 131072,
              std::int64_t{1} << 31);
  std::int64_t k = 0;
  while (p * (k + 1) <= (std::int64_t{1} << 31) - 1) ++k;
  std::printf("  largest K with 127^2 * K <= 2^31 - 1: %" PRId64 "\n", k);
  std::printf("  127 * 131072 = %d (2^24 = %d)\n", 127 * 131072, 1 << 24);
  std::int64_t floats = 0;
  floats += ordinal(88.0f) + 1;    // +0 .. 88
  floats += -ordinal(-87.0f) + 1;  // -0 .. -87 (-0 counted here)
  std::printf("  f32 values in [-87, 88], both zeros: %" PRId64 "\n", floats);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "exp") return run_exp(argc > 2 ? std::max(1, std::atoi(argv[2])) : 1);
  if (what == "silu") return run_silu();
#if defined(LOCKSTEP_HAVE_MPFR)
  if (what == "exp-reference") return run_exp_reference(argc > 2 ? std::atoll(argv[2]) : 1021);
#endif
  if (what == "rms") return run_rms();
  if (what == "facts") {
    facts_constants();
    facts_exp_and_scales();
    facts_bounds();
    return 0;
  }
  std::fprintf(stderr, "usage: %s exp [threads] | exp-reference [stride] | silu | rms | facts\n",
               argv[0]);
  return 2;
}
