//===- FormatTest.cpp - Format parameters, decoding and properties --------===//

#include "lowp/Numerics/Format.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lowp::numerics;

namespace {
Format builtin(const char *name) {
  return *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
}
} // namespace

// Tests the table of facts in REFERENCES.md: max finite, min normal and min
// subnormal of each builtin low-precision format.
TEST(Format, BuiltinExtremes) {
  struct Row {
    const char *name;
    double max, minNormal, minPositive;
  } rows[] = {
      {"f8E4M3FN", 448, 0x1p-6, 0x1p-9},
      {"f8E5M2", 57344, 0x1p-14, 0x1p-16},
      {"f8E4M3", 240, 0x1p-6, 0x1p-9},
      {"f8E3M4", 15.5, 0x1p-2, 0x1p-6},
      {"f8E4M3FNUZ", 240, 0x1p-7, 0x1p-10},
      {"f8E5M2FNUZ", 57344, 0x1p-15, 0x1p-17},
      {"f6E2M3FN", 7.5, 1, 0.125},
      {"f6E3M2FN", 28, 0.25, 0.0625},
      {"f4E2M1FN", 6, 1, 0.5},
      {"f8E8M0FNU", 0x1p127, 0x1p-127, 0x1p-127},
  };
  for (const Row &row : rows) {
    Format format = builtin(row.name);
    EXPECT_EQ(format.getMaxFinite(), row.max) << row.name;
    EXPECT_EQ(format.getMinNormal(), row.minNormal) << row.name;
    EXPECT_EQ(format.getMinPositive(), row.minPositive) << row.name;
  }
}

// Tests every E2M1 code against the list in the OCP spec.
TEST(Format, E2M1Values) {
  Format fp4 = builtin("f4E2M1FN");
  const double values[] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};
  for (uint32_t code = 0; code < 16; ++code) {
    double expected = code < 8 ? values[code] : -values[code - 8];
    EXPECT_EQ(fp4.decode(code), expected) << code;
    EXPECT_EQ(std::signbit(fp4.decode(code)), code >= 8) << code;
  }
}

// Tests the emax that the MX floor rule subtracts.
TEST(Format, MaxExponent) {
  EXPECT_EQ(builtin("f8E4M3FN").getMaxExponent(), 8);
  EXPECT_EQ(builtin("f8E5M2").getMaxExponent(), 15);
  EXPECT_EQ(builtin("f6E3M2FN").getMaxExponent(), 4);
  EXPECT_EQ(builtin("f6E2M3FN").getMaxExponent(), 2);
  EXPECT_EQ(builtin("f4E2M1FN").getMaxExponent(), 2);
}

// Tests that each parameter constraint has its own message.
TEST(Format, RejectsBadParameters) {
  EXPECT_NE(Format::verifyFloat({0, 3, 0, true, SpecialValues::IEEE}), "");
  EXPECT_NE(Format::verifyFloat({9, 3, 0, true, SpecialValues::IEEE}), "");
  EXPECT_NE(Format::verifyFloat({4, 24, 7, true, SpecialValues::IEEE}), "");
  EXPECT_NE(Format::verifyFloat({4, 0, 7, true, SpecialValues::IEEE}), "");
  EXPECT_NE(Format::verifyFloat({4, 3, 7, false, SpecialValues::FNUZ}), "");
  EXPECT_NE(Format::verifyFloat({8, 0, 127, true, SpecialValues::E8M0}), "");
  EXPECT_NE(Format::verifyFloat({4, 3, 9999, true, SpecialValues::FN}), "");
  EXPECT_NE(Format::verifyFloat({1, 0, 0, true, SpecialValues::FN}), "");
  EXPECT_EQ(Format::verifyFloat({3, 3, 3, true, SpecialValues::IEEE}), "");
  EXPECT_NE(Format::verifyInteger(0), "");
  EXPECT_NE(Format::verifyInteger(33), "");
  EXPECT_NE(Format::verifyCodebook(2, {1, 2, 3, 4, 5}), "");
  EXPECT_NE(Format::verifyCodebook(2, {}), "");
  EXPECT_NE(Format::verifyCodebook(2, {NAN}), "");
}

// Tests integers of odd widths: decode, rounding, clamping, NaN.
TEST(Format, Integers) {
  Format i3 = *Format::tryMakeInteger(3, true, nullptr);
  EXPECT_EQ(i3.decode(0b011), 3);
  EXPECT_EQ(i3.decode(0b100), -4);
  RoundingOptions nearest;
  EXPECT_EQ(i3.encode(2.5, nearest), 2u);
  EXPECT_EQ(i3.encode(3.5, nearest), 3u);    // clamps
  EXPECT_EQ(i3.encode(-9, nearest), 0b100u); // clamps
  EXPECT_EQ(i3.encode(-1.5, nearest), 0b110u);
  EXPECT_EQ(i3.encode(NAN, nearest), 0u);
  RoundingOptions down;
  down.mode = RoundingMode::Downward;
  EXPECT_EQ(i3.encode(-0.25, down), 0b111u);
  Format u5 = *Format::tryMakeInteger(5, false, nullptr);
  EXPECT_EQ(u5.encode(-3, nearest), 0u);
  EXPECT_EQ(u5.encode(31.4, nearest), 31u);
  EXPECT_EQ(u5.encode(INFINITY, nearest), 31u);
}

// Tests codebook rounding: nearest with exact midpoints, ties to the even
// code, directed modes, clamping, and unused codes.
TEST(Format, Codebooks) {
  Format ternary = *Format::tryMakeCodebook(2, {-1, 0, 1}, nullptr);
  EXPECT_TRUE(std::isnan(ternary.decode(3)));
  RoundingOptions nearest;
  EXPECT_EQ(ternary.encode(0.4, nearest), 1u);
  EXPECT_EQ(ternary.encode(0.6, nearest), 2u);
  EXPECT_EQ(ternary.encode(0.5, nearest), 2u);  // tie: code 2 is even
  EXPECT_EQ(ternary.encode(-0.5, nearest), 0u); // tie: code 0 is even
  EXPECT_EQ(ternary.encode(5, nearest), 2u);
  EXPECT_EQ(ternary.encode(-5, nearest), 0u);
  EXPECT_EQ(ternary.encode(NAN, nearest), 2u);
  RoundingOptions up;
  up.mode = RoundingMode::Upward;
  EXPECT_EQ(ternary.encode(0.01, up), 2u);
  RoundingOptions away;
  away.mode = RoundingMode::NearestAway;
  EXPECT_EQ(ternary.encode(-0.5, away), 0u);
  EXPECT_EQ(ternary.encode(0.5, away), 2u);
  RoundingOptions stochastic;
  stochastic.mode = RoundingMode::Stochastic;
  EXPECT_NE(ternary.verifyRounding(stochastic), "");
  // A midpoint that is not representable in double: 0.1 and 0.2 as doubles
  // have an exact midpoint that no double equals.
  Format pair = *Format::tryMakeCodebook(1, {0.1, 0.2}, nullptr);
  double mid = (0.1 + 0.2) / 2;
  uint32_t atMid = pair.encode(mid, nearest);
  // mid (a double) lies on one side of the real midpoint; the answer must be
  // the side it lies on.
  long double realMid = ((long double)0.1 + (long double)0.2) / 2;
  EXPECT_EQ(atMid, (long double)mid < realMid ? 0u : 1u);
}

// Tests the shortest-round-trip printing.
TEST(Format, FormatValue) {
  EXPECT_EQ(formatValue(448), "448");
  EXPECT_EQ(formatValue(0.001953125), "0.001953125");
  EXPECT_EQ(formatValue(-0.0), "-0");
  EXPECT_EQ(formatValue(NAN), "nan");
  EXPECT_EQ(formatValue(-INFINITY), "-inf");
  EXPECT_EQ(std::strtod(formatValue(0.1).c_str(), nullptr), 0.1);
}

// Tests that a sticky infinitesimal decides exactly where a double input
// sits on a tie or a grid point: encoding x + eps must equal encoding the
// next double above x, for every midpoint and value of E4M3FN and E2M1,
// in every mode.
TEST(Format, StickyInputsAgreeWithNeighbouringDoubles) {
  for (const char *name : {"f8E4M3FN", "f4E2M1FN", "f8E8M0FNU", "bf16"}) {
    Format format =
        *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
    for (RoundingMode mode :
         {RoundingMode::NearestEven, RoundingMode::NearestAway,
          RoundingMode::TowardZero, RoundingMode::Upward,
          RoundingMode::Downward}) {
      RoundingOptions options;
      options.mode = mode;
      for (uint32_t code = 0; code + 1 < format.getNumCodes(); ++code) {
        double a = format.decode(code), b = format.decode(code + 1);
        if (!std::isfinite(a) || !std::isfinite(b))
          continue;
        for (double x : {a, (a + b) / 2}) {
          EXPECT_EQ(format.encode(x, 1, options),
                    format.encode(std::nextafter(x, INFINITY), options))
              << name << " " << x << " " << stringifyRoundingMode(mode);
          EXPECT_EQ(format.encode(x, -1, options),
                    format.encode(std::nextafter(x, -INFINITY), options))
              << name << " " << x << " " << stringifyRoundingMode(mode);
        }
      }
    }
  }
  // Codebooks and integers too.
  Format ternary = *Format::tryMakeCodebook(2, {-1, 0, 1}, nullptr);
  RoundingOptions up;
  up.mode = RoundingMode::Upward;
  EXPECT_EQ(ternary.encode(0, 1, up), 2u);
  EXPECT_EQ(ternary.encode(-1, 1, up), 1u);
  RoundingOptions nearest;
  EXPECT_EQ(ternary.encode(0.5, -1, nearest), 1u);
  EXPECT_EQ(ternary.encode(0.5, 1, nearest), 2u);
  Format i8 = *Format::tryMakeInteger(8, true, nullptr);
  EXPECT_EQ(i8.encode(2.5, 1, nearest), 3u);
  EXPECT_EQ(i8.encode(2.5, -1, nearest), 2u);
  EXPECT_EQ(i8.encode(-3, 1, RoundingOptions{RoundingMode::Downward}), 0xFDu);
  EXPECT_EQ(i8.encode(-3, -1, RoundingOptions{RoundingMode::Downward}), 0xFCu);
}
