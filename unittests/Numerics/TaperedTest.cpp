//===- TaperedTest.cpp - Posits and HiFloat8 against their definitions ----===//
//
// Independent oracles written from the definitions, sharing no code with
// lib/Numerics: posits decoded from their bit strings as the 2022 Posit
// Standard reads them (regime run, exponent, fraction) and rounded by its
// rule (the (n+1)-bit posit that appends a 1 to the lower neighbour is the
// midpoint, ties to the even pattern, no underflow to zero, no overflow);
// HiFloat8 built field by field from the paper's table of dot, exponent and
// mantissa widths and rounded to the nearest of its sorted values. Every
// code of every posit up to 16 bits is decoded, every f16 and bf16 value
// and every midpoint (exactly, and an infinitesimal to either side) is
// rounded in every deterministic mode.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Format.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <string>

using namespace lowp::numerics;

namespace {

const RoundingMode deterministicModes[] = {
    RoundingMode::NearestEven, RoundingMode::NearestAway,
    RoundingMode::TowardZero, RoundingMode::Upward, RoundingMode::Downward};

std::string bitString(uint64_t code, unsigned width) {
  std::string bits;
  for (int i = int(width) - 1; i >= 0; --i)
    bits += ((code >> i) & 1) ? '1' : '0';
  return bits;
}

/// Every f16 and every bf16 value, as doubles (NaNs and infinities too).
std::vector<double> halfInputs() {
  std::vector<double> inputs;
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    uint32_t f32 = bits << 16;
    float bf16;
    std::memcpy(&bf16, &f32, sizeof(bf16));
    inputs.push_back(bf16);
    int exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
    double half = exponent == 0    ? std::ldexp(fraction, -24)
                  : exponent == 31 ? (fraction ? NAN : INFINITY)
                                   : std::ldexp(1024 + fraction, exponent - 25);
    inputs.push_back((bits & 0x8000) ? -half : half);
  }
  return inputs;
}

//===----------------------------------------------------------------------===//
// Posit oracle
//===----------------------------------------------------------------------===//

/// The value of an n-bit posit code, read from its bit string.
double positValue(unsigned n, unsigned es, uint64_t code) {
  if (code == 0)
    return 0;
  if (code == uint64_t(1) << (n - 1))
    return NAN;
  bool negative = (code >> (n - 1)) & 1;
  if (negative)
    code = (uint64_t(1) << n) - code;
  std::string bits = bitString(code, n).substr(1);
  size_t run = bits.find_first_not_of(bits[0]);
  if (run == std::string::npos)
    run = bits.size();
  long k = bits[0] == '1' ? long(run) - 1 : -long(run);
  std::string rest = run + 1 < bits.size() ? bits.substr(run + 1) : "";
  std::string exponentBits = rest.substr(0, std::min<size_t>(es, rest.size()));
  exponentBits.resize(es, '0');
  std::string fractionBits = rest.size() > es ? rest.substr(es) : "";
  long e = exponentBits.empty() ? 0 : std::stol(exponentBits, nullptr, 2);
  double fraction = 1;
  for (size_t i = 0; i < fractionBits.size(); ++i)
    if (fractionBits[i] == '1')
      fraction += std::ldexp(1.0, -int(i) - 1);
  double value = std::ldexp(fraction, int(k * (1L << es) + e));
  return negative ? -value : value;
}

/// Positive codes of an n-bit posit in ascending value (the standard orders
/// them as integers); rounds by the standard's rule.
class PositOracle {
public:
  PositOracle(unsigned n, unsigned es) : n(n), es(es) {
    for (uint64_t code = 1; code < (uint64_t(1) << (n - 1)); ++code) {
      values.push_back(positValue(n, es, code));
      // The midpoint above it: the (n+1)-bit posit "code followed by 1".
      midpoints.push_back(positValue(n + 1, es, (code << 1) | 1));
    }
  }

  /// The code of x + sticky * epsilon.
  uint32_t round(double x, int sticky, RoundingMode mode, bool saturate) const {
    uint64_t nar = uint64_t(1) << (n - 1);
    if (std::isnan(x) || (std::isinf(x) && !saturate))
      return uint32_t(nar);
    bool negative = x < 0 || (x == 0 && sticky < 0);
    double a = std::fabs(x);
    int s = negative ? -sticky : sticky;
    if (x == 0 && sticky == 0)
      return 0;
    auto code = [&](uint64_t magnitude) {
      uint64_t mask = (uint64_t(1) << n) - 1;
      return uint32_t((negative ? (0 - magnitude) : magnitude) & mask);
    };
    uint64_t maxMagnitude = nar - 1;
    if (a > values.back() || (a == values.back() && s >= 0))
      return code(maxMagnitude);
    if (a < values.front() || (a == values.front() && s <= 0))
      return code(1);
    // values[i-1] < a + s*eps < values[i], or an exact hit.
    size_t i =
        std::lower_bound(values.begin(), values.end(), a) - values.begin();
    if (values[i] == a && s == 0)
      return code(i + 1);
    if (values[i] == a)
      i += s > 0 ? 1 : 0;
    uint64_t lower = i, upper = i + 1; // magnitude codes
    double mid = midpoints[lower - 1];
    bool upward = (mode == RoundingMode::Upward && !negative) ||
                  (mode == RoundingMode::Downward && negative);
    bool downward = mode == RoundingMode::TowardZero ||
                    (mode == RoundingMode::Upward && negative) ||
                    (mode == RoundingMode::Downward && !negative);
    if (upward)
      return code(upper);
    if (downward)
      return code(lower);
    if (a < mid || (a == mid && s < 0))
      return code(lower);
    if (a > mid || (a == mid && s > 0))
      return code(upper);
    if (mode == RoundingMode::NearestAway)
      return code(upper);
    return code(lower % 2 == 0 ? lower : upper);
  }

  /// Every value and midpoint, and the doubles just beside them.
  std::vector<double> classInputs() const {
    std::vector<double> inputs;
    for (uint64_t c = 1; c < (uint64_t(1) << n); ++c) {
      double v = positValue(n + 1, es, c);
      for (double x : {v, std::nextafter(v, 0.0), std::nextafter(v, INFINITY)})
        inputs.push_back(x);
    }
    return inputs;
  }

private:
  unsigned n, es;
  std::vector<double> values, midpoints;
};

Format makePosit(unsigned n, unsigned es) {
  std::string error;
  std::optional<Format> format = Format::tryMakePosit(n, es, &error);
  EXPECT_TRUE(format) << error;
  return *format;
}

TEST(Posit, DecodeEveryCode) {
  for (unsigned n = 2; n <= 16; ++n)
    for (unsigned es = 0; es <= 4; ++es) {
      Format format = makePosit(n, es);
      for (uint64_t code = 0; code < (uint64_t(1) << n); ++code) {
        double expected = positValue(n, es, code);
        double actual = format.decode(uint32_t(code));
        if (std::isnan(expected))
          ASSERT_TRUE(std::isnan(actual) && format.isNaNCode(code));
        else
          ASSERT_EQ(actual, expected)
              << "posit<" << n << "," << es << "> code " << code;
      }
    }
  // Wider posits: a sample, and the extremes.
  std::mt19937 random(7);
  for (unsigned n = 17; n <= 32; ++n)
    for (unsigned es = 0; es <= 4; ++es) {
      Format format = makePosit(n, es);
      uint64_t mask = (uint64_t(1) << n) - 1;
      for (uint64_t code : {uint64_t(1), mask >> 1, (mask >> 1) + 2, mask})
        ASSERT_EQ(format.decode(uint32_t(code)), positValue(n, es, code));
      for (int i = 0; i < 2000; ++i) {
        uint64_t code = random() & mask;
        if (code != (uint64_t(1) << (n - 1)))
          ASSERT_EQ(format.decode(uint32_t(code)), positValue(n, es, code));
      }
    }
}

TEST(Posit, Properties) {
  Format p8 = makePosit(8, 0);
  EXPECT_EQ(p8.getMaxFinite(), 64.0);
  EXPECT_EQ(p8.getMinPositive(), 1.0 / 64);
  EXPECT_EQ(p8.getNaNCode(), 0x80u);
  EXPECT_EQ(p8.getEpsilon(), 1.0 / 32);
  Format p16 = makePosit(16, 1);
  EXPECT_EQ(p16.getMaxFinite(), std::ldexp(1.0, 28));
  EXPECT_EQ(p16.getMinFinite(), -std::ldexp(1.0, 28));
  EXPECT_EQ(p16.getEpsilon(), std::ldexp(1.0, -12));
  Format p32 = makePosit(32, 2);
  EXPECT_EQ(p32.getMaxFinite(), std::ldexp(1.0, 120));
  EXPECT_EQ(p32.getMinPositive(), std::ldexp(1.0, -120));
  EXPECT_EQ(makePosit(32, 4).getMaxFinite(), std::ldexp(1.0, 480));
  EXPECT_FALSE(p8.hasInfinity());
  EXPECT_FALSE(p8.hasNegativeZero());
  EXPECT_TRUE(p8.hasNaN());
  std::string error;
  EXPECT_FALSE(Format::tryMakePosit(33, 2, &error));
  EXPECT_EQ(error, "posit width 33 is outside the supported range 2..32");
  EXPECT_FALSE(Format::tryMakePosit(8, 5, &error));
  EXPECT_EQ(error, "posit exponent size 5 is outside the supported range 0..4");
  EXPECT_FALSE(Format::tryMakePosit(1, 0, &error));
}

/// Worked examples of the standard's rounding, by hand.
TEST(Posit, StandardExamples) {
  RoundingOptions rne;
  Format p8 = makePosit(8, 2);
  // 0 1111110 = 2^20 and 0 1111111 = maxpos = 2^24: the midpoint is the
  // 9-bit 0 11111101 = 2^22 (geometric), not 2^23.
  EXPECT_EQ(p8.decode(0x7E), std::ldexp(1.0, 20));
  EXPECT_EQ(p8.encode(std::ldexp(1.0, 22) * 0.99, rne), 0x7Eu);
  EXPECT_EQ(p8.encode(std::ldexp(1.0, 22) * 1.01, rne), 0x7Fu);
  EXPECT_EQ(p8.encode(std::ldexp(1.0, 22), rne), 0x7Eu); // tie: even pattern
  // Never zero, never NaR for real numbers.
  EXPECT_EQ(p8.encode(1e-300, rne), 0x01u);
  EXPECT_EQ(p8.encode(-1e-300, rne), 0xFFu);
  EXPECT_EQ(p8.encode(1e300, rne), 0x7Fu);
  EXPECT_EQ(p8.encode(-1e300, rne), 0x81u);
  EXPECT_EQ(p8.encode(INFINITY, rne), 0x80u);
  EXPECT_EQ(p8.encode(NAN, rne), 0x80u);
  EXPECT_EQ(p8.encode(-0.0, rne), 0x00u);
  EXPECT_EQ(p8.encode(1.0, rne), 0x40u);
  EXPECT_EQ(p8.encode(-1.0, rne), 0xC0u);
  RoundingOptions saturating;
  saturating.saturate = true;
  EXPECT_EQ(p8.encode(-INFINITY, saturating), 0x81u);
}

TEST(Posit, EveryHalfInputAndMidpoint) {
  std::vector<double> halves = halfInputs();
  for (unsigned n = 2; n <= 16; ++n)
    for (unsigned es = 0; es <= 4; ++es) {
      Format format = makePosit(n, es);
      PositOracle oracle(n, es);
      std::vector<double> inputs = oracle.classInputs();
      // All f16 and bf16 inputs for a spread of widths.
      if (n == 8 || n == 16)
        inputs.insert(inputs.end(), halves.begin(), halves.end());
      for (RoundingMode mode : deterministicModes) {
        RoundingOptions options;
        options.mode = mode;
        for (double x : inputs)
          for (int sticky : {-1, 0, 1}) {
            if (!std::isfinite(x) && sticky != 0)
              continue;
            ASSERT_EQ(format.encode(x, sticky, options),
                      oracle.round(x, sticky, mode, false))
                << "posit<" << n << "," << es << "> x=" << formatValue(x)
                << " sticky " << sticky << " " << stringifyRoundingMode(mode);
            ASSERT_EQ(format.encode(-x, -sticky, options),
                      oracle.round(-x, -sticky, mode, false));
          }
      }
    }
}

TEST(Posit, WideMidpoints) {
  std::mt19937_64 random(11);
  for (unsigned n : {20u, 24u, 31u, 32u})
    for (unsigned es = 0; es <= 4; ++es) {
      Format format = makePosit(n, es);
      uint64_t half = uint64_t(1) << (n - 1);
      for (int i = 0; i < 20000; ++i) {
        // A positive magnitude below maxpos, its successor and the midpoint.
        uint64_t lower = 1 + random() % (half - 2);
        double lo = positValue(n, es, lower), hi = positValue(n, es, lower + 1);
        double mid = positValue(n + 1, es, (lower << 1) | 1);
        RoundingOptions rne;
        ASSERT_EQ(format.encode(lo, rne), lower);
        ASSERT_EQ(format.encode(mid, -1, rne), lower);
        ASSERT_EQ(format.encode(mid, 1, rne), lower + 1);
        ASSERT_EQ(format.encode(mid, rne), lower % 2 ? lower + 1 : lower);
        ASSERT_EQ(format.encode(-hi, rne),
                  uint32_t((0 - (lower + 1)) & ((uint64_t(1) << n) - 1)));
      }
    }
}

/// Where a posit has fraction bits, the pattern is linear in the value:
/// stochastic rounding with k random bits rounds up for exactly j of the
/// 2^k random values at j/2^k of the way.
TEST(Posit, StochasticRoundingIsLinearBetweenNeighbours) {
  Format format = makePosit(8, 1);
  const unsigned k = 4;
  for (uint32_t lower : {0x40u, 0x45u, 0x5Au, 0x30u}) {
    double lo = format.decode(lower), hi = format.decode(lower + 1);
    for (unsigned j = 0; j < (1u << k); ++j) {
      double x = lo + (hi - lo) * j / (1 << k);
      unsigned up = 0;
      for (uint64_t r = 0; r < (1u << k); ++r) {
        RoundingOptions options;
        options.mode = RoundingMode::Stochastic;
        options.randomBitCount = k;
        options.randomBits = r;
        up += format.encode(x, options) == lower + 1;
      }
      EXPECT_EQ(up, j) << "code " << lower << " j " << j;
    }
  }
}

//===----------------------------------------------------------------------===//
// HiFloat8 oracle
//===----------------------------------------------------------------------===//

/// code -> value, built from the paper's field table (not by decoding).
std::map<uint32_t, double> hiFloat8Table() {
  std::map<uint32_t, double> table;
  struct Row {
    std::string dot;
    int exponentWidth, mantissaWidth;
  };
  const Row rows[] = {
      {"11", 4, 1}, {"10", 3, 2}, {"01", 2, 3}, {"001", 1, 3}, {"0001", 0, 3}};
  for (int sign = 0; sign < 2; ++sign) {
    for (const Row &row : rows) {
      int width = row.exponentWidth;
      int exponentCodes = width == 0 ? 1 : 1 << width;
      for (int field = 0; field < exponentCodes; ++field) {
        int e = 0;
        if (width > 0) {
          bool expNegative = field >> (width - 1);
          int magnitude =
              (1 << (width - 1)) + (field & ((1 << (width - 1)) - 1));
          e = expNegative ? -magnitude : magnitude;
        }
        for (int m = 0; m < (1 << row.mantissaWidth); ++m) {
          std::string bits = std::string(sign ? "1" : "0") + row.dot +
                             (width ? bitString(field, width) : "") +
                             bitString(m, row.mantissaWidth);
          uint32_t code = std::stoul(bits, nullptr, 2);
          double value =
              std::ldexp(1.0 + double(m) / (1 << row.mantissaWidth), e);
          table[code] = sign ? -value : value;
        }
      }
    }
    // Denormal mode: 0000 then M in 1..7 is 2^(M - 23).
    for (int m = 1; m < 8; ++m)
      table[(sign << 7) | m] = (sign ? -1 : 1) * std::ldexp(1.0, m - 23);
  }
  table[0x00] = 0.0;
  table[0x80] = NAN;
  table[0x6F] = INFINITY; // the place of 1.5 * 2^15
  table[0xEF] = -INFINITY;
  return table;
}

TEST(HiFloat8, DecodeEveryCode) {
  std::map<uint32_t, double> table = hiFloat8Table();
  ASSERT_EQ(table.size(), 256u); // every code exactly once
  Format format = Format::makeHiFloat8();
  for (auto &[code, value] : table) {
    if (std::isnan(value))
      ASSERT_TRUE(std::isnan(format.decode(code)) && format.isNaNCode(code));
    else
      ASSERT_EQ(format.decode(code), value) << "code " << code;
  }
  EXPECT_EQ(format.getMaxFinite(), 32768.0);
  EXPECT_EQ(format.getMinNormal(), std::ldexp(1.0, -15));
  EXPECT_EQ(format.getMinPositive(), std::ldexp(1.0, -22));
  EXPECT_EQ(format.getMinFinite(), -32768.0);
  EXPECT_EQ(format.getEpsilon(), 0.125);
  EXPECT_EQ(format.getMaxExponent(), 15);
  EXPECT_TRUE(format.hasInfinity());
  EXPECT_FALSE(format.hasNegativeZero());
}

/// Rounds to the nearest of HiFloat8's values; the infinity code stands at
/// 1.5 * 2^15 for deciding overflow, as the paper places it.
class HiFloat8Oracle {
public:
  HiFloat8Oracle() {
    for (auto &[code, value] : hiFloat8Table())
      if (std::isfinite(value) && value >= 0)
        sorted.push_back({value, code});
    sorted.push_back({1.5 * 32768, 0x6F});
    std::sort(sorted.begin(), sorted.end());
  }

  uint32_t round(double x, int sticky, const RoundingOptions &options) const {
    if (std::isnan(x))
      return 0x80;
    bool negative = x < 0 || (x == 0 && sticky < 0);
    uint32_t sign = negative ? 0x80 : 0;
    if (std::isinf(x))
      return sign | (options.saturate ? 0x6E : 0x6F);
    if (x == 0 && sticky == 0)
      return 0;
    double a = std::fabs(x);
    int s = negative ? -sticky : sticky;
    RoundingMode mode = options.mode;
    bool up = (mode == RoundingMode::Upward && !negative) ||
              (mode == RoundingMode::Downward && negative);
    bool down = mode == RoundingMode::TowardZero ||
                (mode == RoundingMode::Upward && negative) ||
                (mode == RoundingMode::Downward && !negative);
    auto finish = [&](uint32_t magnitude) -> uint32_t {
      if (magnitude == 0x6F && options.saturate)
        magnitude = 0x6E;
      return magnitude == 0 ? 0 : sign | magnitude;
    };
    if (a > 1.5 * 32768 || (a == 1.5 * 32768 && s >= 0))
      return finish(down ? 0x6E : 0x6F);
    size_t i = std::lower_bound(sorted.begin(), sorted.end(),
                                std::make_pair(a, uint32_t(0))) -
               sorted.begin();
    if (sorted[i].first == a && s == 0)
      return finish(sorted[i].second);
    if (sorted[i].first == a)
      i += s > 0 ? 1 : 0;
    auto [lo, loCode] = sorted[i - 1];
    auto [hi, hiCode] = sorted[i];
    if (up)
      return finish(hiCode);
    if (down)
      return finish(loCode);
    double mid = (lo + hi) / 2; // exact: neighbours are at most 2^8 apart
    if (a < mid || (a == mid && s < 0))
      return finish(loCode);
    if (a > mid || (a == mid && s > 0))
      return finish(hiCode);
    if (mode == RoundingMode::NearestAway)
      return finish(hiCode);
    return finish(loCode % 2 == 0 ? loCode : hiCode);
  }

  std::vector<double> classInputs() const {
    std::vector<double> inputs;
    for (size_t i = 0; i < sorted.size(); ++i) {
      std::vector<double> points = {sorted[i].first};
      if (i + 1 < sorted.size())
        points.push_back((sorted[i].first + sorted[i + 1].first) / 2);
      for (double v : points)
        for (double x :
             {v, std::nextafter(v, 0.0), std::nextafter(v, INFINITY)})
          inputs.push_back(x);
    }
    inputs.push_back(1e300);
    inputs.push_back(1e-300);
    return inputs;
  }

private:
  std::vector<std::pair<double, uint32_t>> sorted;
};

TEST(HiFloat8, EveryHalfInputAndMidpoint) {
  Format format = Format::makeHiFloat8();
  HiFloat8Oracle oracle;
  std::vector<double> inputs = oracle.classInputs();
  std::vector<double> halves = halfInputs();
  inputs.insert(inputs.end(), halves.begin(), halves.end());
  for (RoundingMode mode : deterministicModes)
    for (bool saturate : {false, true}) {
      RoundingOptions options;
      options.mode = mode;
      options.saturate = saturate;
      for (double x : inputs)
        for (int sticky : {-1, 0, 1}) {
          if (!std::isfinite(x) && sticky != 0)
            continue;
          for (double y : {x, -x})
            ASSERT_EQ(format.encode(y, y == x ? sticky : -sticky, options),
                      oracle.round(y, y == x ? sticky : -sticky, options))
                << "x=" << formatValue(y) << " sticky " << sticky << " "
                << stringifyRoundingMode(mode) << " saturate " << saturate;
        }
    }
}

/// The edges the paper's definition leaves to the rounding rule.
TEST(HiFloat8, Edges) {
  Format format = Format::makeHiFloat8();
  RoundingOptions rne, away;
  away.mode = RoundingMode::NearestAway;
  // Overflow: the tie between 2^15 and the infinity's place goes to the even
  // code (2^15) or away (infinity).
  EXPECT_EQ(format.encode(40960, rne), 0x6Eu);
  EXPECT_EQ(format.encode(40960, away), 0x6Fu);
  EXPECT_EQ(format.encode(40961, rne), 0x6Fu);
  // Below the smallest denormal: the tie at 2^-23 goes to zero (even) or
  // away to 2^-22; a negative value never becomes 0x80 (NaN).
  EXPECT_EQ(format.encode(std::ldexp(1.0, -23), rne), 0x00u);
  EXPECT_EQ(format.encode(std::ldexp(1.0, -23), away), 0x01u);
  EXPECT_EQ(format.encode(-std::ldexp(1.0, -24), rne), 0x00u);
  EXPECT_EQ(format.encode(-0.0, rne), 0x00u);
  // Between the last denormal 2^-16 and 2^-15, the linear midpoint.
  EXPECT_EQ(format.encode(1.5 * std::ldexp(1.0, -16), rne), 0x7Eu);
  EXPECT_EQ(format.encode(1.49 * std::ldexp(1.0, -16), rne), 0x07u);
  // Across binades of different widths: 15.5 is the tie of 15 and 16.
  EXPECT_EQ(format.decode(format.encode(15.5, rne)), 16.0);
  EXPECT_EQ(format.decode(format.encode(15.4, rne)), 15.0);
}

TEST(HiFloat8, StochasticRoundingIsLinearBetweenNeighbours) {
  Format format = Format::makeHiFloat8();
  const unsigned k = 3;
  // Within a binade, across a binade edge, and between denormal powers.
  for (double lo : {1.0, 15.0, std::ldexp(1.0, -20), std::ldexp(1.0, -16)}) {
    uint32_t lower = format.encode(lo, RoundingOptions());
    uint32_t upper = format.encode(std::nextafter(lo, INFINITY), [] {
      RoundingOptions up;
      up.mode = RoundingMode::Upward;
      return up;
    }());
    double hi = format.decode(upper);
    for (unsigned j = 0; j < (1u << k); ++j) {
      double x = lo + (hi - lo) * j / (1 << k);
      unsigned count = 0;
      for (uint64_t r = 0; r < (1u << k); ++r) {
        RoundingOptions options;
        options.mode = RoundingMode::Stochastic;
        options.randomBitCount = k;
        options.randomBits = r;
        uint32_t code = format.encode(x, options);
        ASSERT_TRUE(code == lower || code == upper);
        count += code == upper;
      }
      EXPECT_EQ(count, j) << formatValue(lo) << " j " << j;
    }
  }
}

} // namespace
