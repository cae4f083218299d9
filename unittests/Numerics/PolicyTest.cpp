//===- PolicyTest.cpp - The special-value policy, cell by cell ------------===//
//
// One test per cell of the table in docs/Numerics.md ("Special values"),
// named after its row and column, plus the traps listed beside it.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Format.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lowp::numerics;

namespace {
Format builtin(const char *name) {
  return *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
}
uint32_t encode(const char *name, double x, bool saturate = false,
                RoundingMode mode = RoundingMode::NearestEven) {
  RoundingOptions options;
  options.mode = mode;
  options.saturate = saturate;
  return builtin(name).encode(x, options);
}
} // namespace

// Row "NaN".
TEST(Policy, NaNToFormatWithInfIsNaN) {
  EXPECT_EQ(encode("f8E5M2", NAN), 0x7Eu);
  EXPECT_EQ(encode("f8E5M2", -NAN), 0x7Eu);
  EXPECT_EQ(encode("f8E5M2", NAN, true), 0x7Eu);
}
TEST(Policy, NaNToFnAndFnuzIsNaN) {
  EXPECT_EQ(encode("f8E4M3FN", NAN), 0x7Fu);
  EXPECT_EQ(encode("f8E4M3FN", NAN, true), 0x7Fu);
  EXPECT_EQ(encode("f8E4M3FNUZ", NAN), 0x80u);
  EXPECT_EQ(encode("f8E5M2FNUZ", -NAN, true), 0x80u);
}
TEST(Policy, NaNToFiniteOnlyIsPlusMax) {
  EXPECT_EQ(encode("f4E2M1FN", NAN), 0x7u);
  EXPECT_EQ(encode("f4E2M1FN", -NAN), 0x7u);
  EXPECT_EQ(encode("f6E2M3FN", NAN), 0x1Fu);
  EXPECT_EQ(encode("f6E3M2FN", NAN, true), 0x1Fu);
}
TEST(Policy, NaNToE8M0IsAllOnes) { EXPECT_EQ(encode("f8E8M0FNU", NAN), 0xFFu); }

// Row "+-inf, not saturating".
TEST(Policy, InfNotSaturatingToFormatWithInfIsInf) {
  EXPECT_EQ(encode("f8E5M2", INFINITY), 0x7Cu);
  EXPECT_EQ(encode("f8E5M2", -INFINITY), 0xFCu);
  // Infinity is exact: directed modes keep it.
  EXPECT_EQ(encode("f8E5M2", INFINITY, false, RoundingMode::TowardZero), 0x7Cu);
}
TEST(Policy, InfNotSaturatingToFnFnuzIsNaN) {
  EXPECT_EQ(encode("f8E4M3FN", INFINITY), 0x7Fu);
  EXPECT_EQ(encode("f8E4M3FN", -INFINITY), 0x7Fu);
  EXPECT_EQ(encode("f8E4M3FNUZ", -INFINITY), 0x80u);
}
TEST(Policy, InfNotSaturatingToFiniteOnlyIsMax) {
  EXPECT_EQ(encode("f4E2M1FN", INFINITY), 0x7u);
  EXPECT_EQ(encode("f4E2M1FN", -INFINITY), 0xFu);
}

// Row "+-inf or overflow, saturating".
TEST(Policy, InfAndOverflowSaturatingIsMax) {
  for (const char *name : {"f8E5M2", "f8E4M3FN", "f8E4M3FNUZ", "f4E2M1FN",
                           "f6E3M2FN", "f8E3M4", "f8E4M3"}) {
    Format format = builtin(name);
    RoundingOptions saturate;
    saturate.saturate = true;
    EXPECT_EQ(format.encode(INFINITY, saturate), format.getMaxFiniteCode(false))
        << name;
    EXPECT_EQ(format.encode(-INFINITY, saturate), format.getMaxFiniteCode(true))
        << name;
    EXPECT_EQ(format.encode(1e30, saturate), format.getMaxFiniteCode(false))
        << name;
    EXPECT_EQ(format.encode(-1e30, saturate), format.getMaxFiniteCode(true))
        << name;
  }
}

// Row "overflow, not saturating, nearest": ties to even decide between max
// and the next code.
TEST(Policy, OverflowTieAtTopOfE4M3FN) {
  EXPECT_EQ(encode("f8E4M3FN", 464), 0x7Eu); // 448: 0x7E is even
  EXPECT_EQ(encode("f8E4M3FN", 465), 0x7Fu); // NaN
  EXPECT_EQ(encode("f8E4M3FN", -464), 0xFEu);
  EXPECT_EQ(encode("f8E4M3FN", 464, false, RoundingMode::NearestAway), 0x7Fu);
}
TEST(Policy, OverflowTieIntoIeeeGoesToInf) {
  // E5M2: max 57344, next 65536; the tie 61440 goes to the even code, inf.
  EXPECT_EQ(encode("f8E5M2", 61440), 0x7Cu);
  EXPECT_EQ(encode("f8E5M2", 61439), 0x7Bu);
  EXPECT_EQ(encode("f8E5M2", 61440, true), 0x7Bu);
}
TEST(Policy, OverflowIntoFiniteOnlyIsMax) {
  EXPECT_EQ(encode("f4E2M1FN", 7), 0x7u);
  EXPECT_EQ(encode("f4E2M1FN", 100), 0x7u);
  EXPECT_EQ(encode("f4E2M1FN", -100, false, RoundingMode::Downward), 0xFu);
}
TEST(Policy, OverflowInDirectedModes) {
  // Toward zero never overflows; away from zero does.
  EXPECT_EQ(encode("f8E5M2", 1e6, false, RoundingMode::TowardZero), 0x7Bu);
  EXPECT_EQ(encode("f8E5M2", 1e6, false, RoundingMode::Downward), 0x7Bu);
  EXPECT_EQ(encode("f8E5M2", 1e6, false, RoundingMode::Upward), 0x7Cu);
  EXPECT_EQ(encode("f8E5M2", -1e6, false, RoundingMode::Upward), 0xFBu);
  EXPECT_EQ(encode("f8E4M3FN", 450, false, RoundingMode::Upward), 0x7Fu);
}

// Row "-0".
TEST(Policy, NegativeZero) {
  EXPECT_EQ(encode("f8E5M2", -0.0), 0x80u);
  EXPECT_EQ(encode("f8E4M3FN", -0.0), 0x80u);
  EXPECT_EQ(encode("f4E2M1FN", -0.0), 0x8u);
  EXPECT_EQ(encode("f8E4M3FNUZ", -0.0), 0x00u);
  EXPECT_EQ(encode("f8E5M2FNUZ", -0.0), 0x00u);
}
TEST(Policy, TinyNegativeIntoFnuzIsPlusZero) {
  // 0x80 is NaN in FNUZ: a negative underflow must not land there.
  EXPECT_EQ(encode("f8E4M3FNUZ", -1e-10), 0x00u);
  EXPECT_EQ(encode("f8E4M3FNUZ", -1e-10, false, RoundingMode::TowardZero),
            0x00u);
}
TEST(Policy, TinyNegativeKeepsSignElsewhere) {
  EXPECT_EQ(encode("f4E2M1FN", -0.2), 0x8u);
  // Not +0.5: the arith-expand bug this guards against.
  EXPECT_EQ(encode("f4E2M1FN", -0.3), 0x9u);
}

// Row "subnormal results": kept.
TEST(Policy, SubnormalsAreKept) {
  EXPECT_EQ(encode("f8E4M3FN", std::ldexp(1.0, -9)), 0x01u);
  EXPECT_EQ(encode("f8E4M3FN", std::ldexp(3.0, -9)), 0x03u);
  EXPECT_EQ(encode("f4E2M1FN", 0.5), 0x1u);
  // Half the smallest subnormal: ties to even (zero); away gives the min.
  EXPECT_EQ(encode("f8E4M3FN", std::ldexp(1.0, -10)), 0x00u);
  EXPECT_EQ(encode("f8E4M3FN", std::ldexp(1.0, -10), false,
                   RoundingMode::NearestAway),
            0x01u);
}

// E8M0: unsigned powers of two, no zero, 0xFF is NaN (not inf).
TEST(Policy, E8M0) {
  Format e8m0 = builtin("f8E8M0FNU");
  EXPECT_TRUE(std::isnan(e8m0.decode(0xFF)));
  EXPECT_EQ(e8m0.decode(0xFE), std::ldexp(1.0, 127));
  EXPECT_EQ(e8m0.decode(0x00), std::ldexp(1.0, -127));
  EXPECT_EQ(encode("f8E8M0FNU", 1.0), 0x7Fu);
  // Between 1 and 2 the midpoint is 1.5; ties go away from zero (the even
  // significand is 2).
  EXPECT_EQ(encode("f8E8M0FNU", 1.5), 0x80u);
  EXPECT_EQ(encode("f8E8M0FNU", 1.49), 0x7Fu);
  EXPECT_EQ(encode("f8E8M0FNU", 0.0), 0x00u);
  EXPECT_EQ(encode("f8E8M0FNU", -2.0), 0xFFu);
  EXPECT_EQ(encode("f8E8M0FNU", -2.0, true), 0x00u);
  EXPECT_EQ(encode("f8E8M0FNU", INFINITY), 0xFFu);
  EXPECT_EQ(encode("f8E8M0FNU", INFINITY, true), 0xFEu);
  EXPECT_EQ(encode("f8E8M0FNU", 1e300), 0xFFu);
}

// Double rounding: f32 -> E4M3 must round once, not through f16.
TEST(Policy, NoDoubleRounding) {
  // 1 + 2^-4 + 2^-20 is above the E4M3 midpoint 1.0625; through f16 it would
  // become exactly 1.0625 and tie to 1.0.
  EXPECT_EQ(encode("f8E4M3FN", 1.0 + 0.0625 + std::ldexp(1.0, -20)), 0x39u);
}
