//===- LogarithmicTest.cpp - Logarithmic numbers against MPFR -------------===//
//
// An oracle written from the definition in docs/Numerics.md: the exact
// t = 2^F log2|x| from MPFR's log2 at 320 bits (the core compares with
// exp2 thresholds instead), rounded by the policy in code of its own;
// decoding checked against MPFR's exp2 at 53 and 320 bits. Every code of a
// spread of (I, F) pairs, every f16 value, every value and log-domain
// midpoint with an infinitesimal to either side, in every deterministic
// mode.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Format.h"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <cstring>

using namespace lowp::numerics;

namespace {

const RoundingMode deterministicModes[] = {
    RoundingMode::NearestEven, RoundingMode::NearestAway,
    RoundingMode::TowardZero, RoundingMode::Upward, RoundingMode::Downward};

struct Params {
  unsigned integerBits, fractionBits;
};
const Params params[] = {{1, 0}, {1, 3}, {2, 2},  {3, 4},  {4, 3}, {3, 1},
                         {8, 0}, {8, 7}, {5, 10}, {2, 10}, {4, 6}};

Format makeLog(Params p) {
  std::string error;
  std::optional<Format> format =
      Format::tryMakeLogarithmic(p.integerBits, p.fractionBits, &error);
  EXPECT_TRUE(format) << error;
  return *format;
}

/// floor(2^F log2|x|) and whether it is exact, for finite nonzero x.
struct LogOfX {
  long floor;
  bool integer;
  /// The nearest integer (no ties: they would need an irrational x).
  long nearest;
};

LogOfX logOf(double x, unsigned f) {
  mpfr_t t;
  mpfr_init2(t, 320);
  mpfr_set_d(t, std::fabs(x), MPFR_RNDN);
  mpfr_log2(t, t, MPFR_RNDN);
  mpfr_mul_2ui(t, t, f, MPFR_RNDN);
  LogOfX result;
  result.integer = mpfr_integer_p(t);
  mpfr_t r;
  mpfr_init2(r, 320);
  mpfr_floor(r, t);
  result.floor = mpfr_get_si(r, MPFR_RNDN);
  mpfr_round(r, t);
  result.nearest = mpfr_get_si(r, MPFR_RNDN);
  mpfr_clear(r);
  mpfr_clear(t);
  return result;
}

/// Whether |x| (plus s * epsilon) >= minpos / 2 = 2^(lmin/2^F - 1), and
/// whether it is equal.
int compareHalfMinpos(double x, int s, long lmin, unsigned f) {
  mpfr_t half, ax;
  mpfr_init2(half, 320);
  mpfr_init2(ax, 64);
  mpfr_set_si(half, lmin, MPFR_RNDN);
  mpfr_div_2ui(half, half, f, MPFR_RNDN);
  mpfr_sub_ui(half, half, 1, MPFR_RNDN);
  mpfr_exp2(half, half, MPFR_RNDN);
  mpfr_set_d(ax, std::fabs(x), MPFR_RNDN);
  int c = mpfr_cmp(ax, half);
  mpfr_clear(half);
  mpfr_clear(ax);
  return c != 0 ? c : s;
}

uint32_t oracleRound(Params p, double x, int sticky,
                     const RoundingOptions &options, const LogOfX &logX,
                     int halfMinpos) {
  const unsigned f = p.fractionBits, w = p.integerBits + f;
  const long bias = 1L << (w - 1), lmin = 1 - bias, lmax = bias - 1;
  const uint32_t nan = 1u << w;
  if (std::isnan(x))
    return nan;
  bool negative = x < 0 || (x == 0 && sticky < 0);
  auto code = [&](long l) { return (negative ? nan : 0) | uint32_t(l + bias); };
  if (std::isinf(x))
    return options.saturate ? code(lmax) : nan;
  if (x == 0 && sticky == 0)
    return 0;
  int s = negative ? -sticky : sticky;
  // An infinitesimal: below everything.
  LogOfX t = x == 0 ? LogOfX{-100000, false, -100000} : logX;
  long lfloor = t.floor, lceil = t.integer ? t.floor : t.floor + 1;
  if (t.integer && s < 0)
    lfloor -= 1;
  if (t.integer && s > 0)
    lceil += 1;
  RoundingMode mode = options.mode;
  bool up = (mode == RoundingMode::Upward && !negative) ||
            (mode == RoundingMode::Downward && negative);
  bool down = mode == RoundingMode::TowardZero ||
              (mode == RoundingMode::Upward && negative) ||
              (mode == RoundingMode::Downward && !negative);
  long l;
  if (down) {
    if (lfloor < lmin)
      return 0;
    l = lfloor;
  } else if (up) {
    l = std::max(lceil, lmin);
  } else if (t.nearest >= lmin) {
    l = t.nearest;
  } else {
    int c = x == 0 ? -1 : halfMinpos != 0 ? halfMinpos : s;
    bool above = c > 0 || (c == 0 && mode == RoundingMode::NearestAway);
    if (!above)
      return 0;
    l = lmin;
  }
  return code(std::min(l, lmax));
}

TEST(Logarithmic, DecodeEveryCode) {
  for (Params p : params) {
    Format format = makeLog(p);
    const unsigned f = p.fractionBits, w = p.integerBits + f;
    for (uint32_t code = 0; code < (2u << w); ++code) {
      uint32_t field = code & ((1u << w) - 1);
      int sticky = 0;
      double value = format.decode(code, sticky);
      if (field == 0) {
        if (code >> w)
          ASSERT_TRUE(std::isnan(value) && format.isNaNCode(code));
        else
          ASSERT_EQ(value, 0.0);
        ASSERT_EQ(sticky, 0);
        continue;
      }
      long l = long(field) - (1L << (w - 1));
      mpfr_t exact, rounded;
      mpfr_init2(exact, 320);
      mpfr_init2(rounded, 53);
      mpfr_set_si(exact, l, MPFR_RNDN);
      mpfr_div_2ui(exact, exact, f, MPFR_RNDN);
      mpfr_exp2(exact, exact, MPFR_RNDN);
      mpfr_set(rounded, exact, MPFR_RNDN);
      double expected = mpfr_get_d(rounded, MPFR_RNDN);
      mpfr_t d;
      mpfr_init2(d, 64);
      mpfr_set_d(d, expected, MPFR_RNDN);
      int side = -mpfr_cmp(d, exact); // exact above the double: +1
      mpfr_clears(exact, rounded, d, (mpfr_ptr) nullptr);
      bool negative = code >> w;
      ASSERT_EQ(value, negative ? -expected : expected)
          << "lns<" << p.integerBits << "," << f << "> code " << code;
      ASSERT_EQ(sticky, negative ? -side : side) << code;
      ASSERT_EQ(format.decode(code), value);
    }
  }
}

TEST(Logarithmic, RoundingAgainstMpfrLog2) {
  for (Params p : params) {
    Format format = makeLog(p);
    const unsigned f = p.fractionBits, w = p.integerBits + f;
    std::vector<double> inputs = {0.0, 1e-300, 1e300, INFINITY, NAN, 1.0, 3.0};
    // Every value, every log-domain midpoint, and the doubles beside them;
    // the half of the smallest magnitude.
    for (long l = -(1L << (w - 1)) - 3; l <= (1L << (w - 1)) + 3; ++l)
      for (long twice : {2 * l, 2 * l + 1}) {
        mpfr_t v;
        mpfr_init2(v, 64);
        mpfr_set_si(v, twice, MPFR_RNDN);
        mpfr_div_2ui(v, v, f + 1, MPFR_RNDN);
        mpfr_exp2(v, v, MPFR_RNDN);
        double near = mpfr_get_d(v, MPFR_RNDN);
        mpfr_clear(v);
        for (double x : {near, std::nextafter(near, 0.0),
                         std::nextafter(near, INFINITY), near / 2})
          inputs.push_back(x);
      }
    // Every f16 value for the narrow formats.
    if (w <= 8)
      for (uint32_t bits = 0; bits < 0x7C00; ++bits) {
        int exponent = bits >> 10, fraction = bits & 0x3ff;
        inputs.push_back(exponent == 0
                             ? std::ldexp(fraction, -24)
                             : std::ldexp(1024 + fraction, exponent - 25));
      }
    const long lmin = 1 - (1L << (w - 1));
    for (double x : inputs) {
      // The oracle's exact facts about |x|, once per input.
      bool ordinary = std::isfinite(x) && x != 0;
      LogOfX logX = ordinary ? logOf(x, f) : LogOfX{0, false, 0};
      int halfMinpos = ordinary ? compareHalfMinpos(x, 0, lmin, f) : 0;
      for (int sticky : {-1, 0, 1}) {
        if (!std::isfinite(x) && sticky != 0)
          continue;
        for (double y : {x, -x})
          for (RoundingMode mode : deterministicModes)
            for (bool saturate : {false, true}) {
              RoundingOptions options;
              options.mode = mode;
              options.saturate = saturate;
              int s = y == x ? sticky : -sticky;
              ASSERT_EQ(format.encode(y, s, options),
                        oracleRound(p, y, s, options, logX, halfMinpos))
                  << "lns<" << p.integerBits << "," << f
                  << "> x=" << formatValue(y) << " sticky " << s << " "
                  << stringifyRoundingMode(mode);
            }
      }
    }
  }
}

/// Multiplying two logarithmic numbers is adding their fields: computed
/// as decode, multiply in double, encode, the product is exact.
TEST(Logarithmic, ProductsAreExact) {
  Format format = makeLog({3, 4});
  const uint32_t w = 7, bias = 1u << (w - 1);
  RoundingOptions rne;
  for (uint32_t a = 1; a < (1u << w); ++a)
    for (uint32_t b = 1; b < (1u << w); ++b) {
      long sum = long(a) - bias + long(b) - bias;
      if (sum < 1 - long(bias) || sum > long(bias) - 1)
        continue;
      double product = format.decode(a) * format.decode(b);
      ASSERT_EQ(format.encode(product, rne), uint32_t(sum + bias))
          << a << " * " << b;
    }
}

TEST(Logarithmic, ConvertRoundsTheExactValueOnce) {
  // 2^(1/8) = 1.0905077326652577...: into a 3-bit-mantissa float it is 1.125
  // or 1.0; the sticky from decoding keeps directed modes exact even where
  // the nearest double is the boundary (checked over every code here).
  Format lns = makeLog({4, 3});
  Format e2m3 =
      *Format::tryMakeFloat({3, 2, 3, true, SpecialValues::IEEE}, nullptr);
  for (uint32_t code = 0; code < 256; ++code)
    for (RoundingMode mode : deterministicModes) {
      RoundingOptions options;
      options.mode = mode;
      int sticky = 0;
      double v = lns.decode(code, sticky);
      uint32_t direct = convert(code, lns, e2m3, options);
      ASSERT_EQ(direct, e2m3.encode(v, sticky, options));
    }
  std::string error;
  EXPECT_FALSE(Format::tryMakeLogarithmic(9, 2, &error));
  EXPECT_EQ(error,
            "logarithm integer bits 9 are outside the supported range 1..8");
  EXPECT_FALSE(Format::tryMakeLogarithmic(6, 10, &error));
  EXPECT_EQ(error,
            "a logarithmic format of 17 bits is wider than the supported 16");
  RoundingOptions stochastic;
  stochastic.mode = RoundingMode::Stochastic;
  EXPECT_NE(lns.verifyRounding(stochastic), "");
}

} // namespace
