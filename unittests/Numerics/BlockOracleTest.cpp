//===- BlockOracleTest.cpp - Block quantization against MPFR --------------===//
//
// Tests that quantizeBlock stores, for every element and scale, the exact
// real result of the rule's formula rounded once, as MPFR computes it with
// 4400-bit quotients. This is what checks lib/Numerics' shortcut for
// rounding a quotient (the fma remainder and a one-ulp nudge).
//
//===----------------------------------------------------------------------===//

#include "Oracles.h"

#include "lowp/Numerics/BlockScale.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace lowp;
using namespace lowp::numerics;
using lowp::oracle::Outcome;

namespace {
Format builtin(const char *name) {
  return *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
}

/// Blocks that reach the rounding boundaries: random magnitudes over a wide
/// range, and values placed exactly on element midpoints times a power of
/// two (ties after scaling) or one f32 step off them.
std::vector<std::vector<double>> testBlocks(const Format &element,
                                            std::mt19937 &random) {
  std::vector<std::vector<double>> blocks;
  std::uniform_real_distribution<double> unit(-1, 1);
  std::uniform_int_distribution<int> exponent(-30, 30);
  for (int b = 0; b < 300; ++b) {
    std::vector<double> block(32);
    int scale = exponent(random);
    for (double &v : block)
      v = float(std::ldexp(unit(random), scale + exponent(random) % 4));
    blocks.push_back(block);
  }
  std::vector<double> midpoints;
  for (uint32_t code = 0; code + 1 < element.getNumCodes(); ++code) {
    double a = element.decode(code), b = element.decode(code + 1);
    if (std::isfinite(a) && std::isfinite(b) && a >= 0 && b > a)
      midpoints.push_back((a + b) / 2);
  }
  for (int b = 0; b < 100; ++b) {
    std::vector<double> block(16);
    double scale = std::ldexp(1.0, exponent(random));
    block[0] = element.getMaxFinite() * scale * (b % 3 == 0 ? 1.0 : 0.75);
    for (size_t i = 1; i < block.size(); ++i) {
      float tie = float(midpoints[random() % midpoints.size()] * scale);
      block[i] = (random() % 3 == 0) ? std::nextafter(tie, INFINITY)
                 : (random() % 2)    ? -tie
                                     : tie;
    }
    blocks.push_back(block);
  }
  return blocks;
}

void checkAgainstMpfr(const BlockScaling &scaling, RoundingMode mode) {
  std::mt19937 random(7);
  RoundingOptions rounding;
  rounding.mode = mode;
  RoundingOptions saturating = rounding;
  saturating.saturate = true;
  RoundingOptions nearest;
  nearest.saturate = true;
  const double maxElement = scaling.getMaxElementValue();
  std::vector<std::vector<double>> blocks = testBlocks(scaling.element, random);
  // A true-quotient rule divides by a step that is not a power of two, so
  // ties need building from the step the block will get: keep a block's
  // amax, and put the others exactly on element midpoints times that step,
  // or one double away (where a rounded quotient can land on the tie).
  if (scaling.rule == ScaleRule::AbsMax) {
    std::vector<double> midpoints;
    const Format &element = scaling.element;
    for (uint32_t code = 0; code + 1 < element.getNumCodes(); ++code) {
      double a = element.decode(code), b = element.decode(code + 1);
      if (std::isfinite(a) && std::isfinite(b) && a >= 0 && b > a)
        midpoints.push_back((a + b) / 2);
    }
    size_t count = blocks.size();
    for (size_t b = 0; b < count; b += 4) {
      std::vector<double> block = blocks[b];
      double amax = 0;
      for (double v : block)
        amax = std::max(amax, std::fabs(v));
      if (amax == 0)
        continue;
      std::vector<double> tied(16, 0.0);
      tied[0] = amax;
      QuantizedBlock probe = quantizeBlock(scaling, tied, {}, {});
      double step = scaling.scale.decode(probe.scale);
      for (size_t i = 1; i < tied.size(); ++i) {
        double tie = midpoints[random() % midpoints.size()] * step;
        tied[i] = i % 3 == 0   ? tie
                  : i % 3 == 1 ? std::nextafter(tie, INFINITY)
                               : -std::nextafter(tie, 0.0);
      }
      blocks.push_back(tied);
    }
  }
  for (const std::vector<double> &values : blocks) {
    double amax = 0;
    for (double v : values)
      amax = std::max(amax, std::fabs(v));
    std::vector<uint64_t> randomBits(values.size());
    for (uint64_t &bits : randomBits)
      bits = random() & 0xFFFFFFFFu;
    QuantizedBlock q = quantizeBlock(
        scaling, values, {}, rounding,
        mode == RoundingMode::Stochastic ? randomBits.data() : nullptr);
    double scale = scaling.scale.decode(q.scale);

    // The scale, from the rule's formula.
    double expected;
    switch (scaling.rule) {
    case ScaleRule::Floor: {
      int e = std::ilogb(amax) - std::ilogb(maxElement);
      expected = std::ldexp(1.0, std::max(e, -127));
      break;
    }
    case ScaleRule::RCeil: {
      int e = std::ilogb(amax) - std::ilogb(maxElement);
      if (std::ldexp(maxElement, e) < amax)
        ++e;
      expected = std::ldexp(1.0, std::max(e, -127));
      break;
    }
    case ScaleRule::AbsMax:
      expected = oracle::roundQuotientWithMpfr(scaling.scale.getFloat(), amax,
                                               maxElement, nearest)
                     .value;
      break;
    case ScaleRule::NVFP4:
      FAIL() << "nvfp4 computes in f32, not on exact quotients; see "
                "BlockScaleTest and test/Integration/nvfp4-te.test";
    case ScaleRule::MinMax:
      FAIL() << "minmax has integer elements; see BlockScaleTest";
    }
    ASSERT_EQ(scale, expected) << "amax " << amax;
    if (scale == 0)
      continue;

    // Every element: value / (scale * unit), rounded once.
    double step = scale * scaling.getElementUnit();
    for (size_t i = 0; i < values.size(); ++i) {
      Outcome core = Outcome::of(scaling.element.decode(q.elements[i]));
      RoundingOptions elementOptions = saturating;
      elementOptions.randomBits = randomBits[i];
      Outcome mpfr = oracle::roundQuotientWithMpfr(
          scaling.element.getFloat(), values[i], step, elementOptions);
      ASSERT_TRUE(core == mpfr)
          << std::hexfloat << values[i] << " / " << step << ": core "
          << core.str() << ", mpfr " << mpfr.str();
    }
  }
}
} // namespace

// Tests MX blocks (floor and rceil) for every MX float element format and
// every mode, stochastic with 32 random bits per element.
TEST(BlockOracle, MXFloorAndRCeil) {
  for (const char *element :
       {"f8E4M3FN", "f8E5M2", "f6E2M3FN", "f6E3M2FN", "f4E2M1FN"})
    for (ScaleRule rule : {ScaleRule::Floor, ScaleRule::RCeil})
      for (RoundingMode mode :
           {RoundingMode::NearestEven, RoundingMode::NearestAway,
            RoundingMode::TowardZero, RoundingMode::Upward,
            RoundingMode::Downward, RoundingMode::Stochastic}) {
        BlockScaling scaling{builtin(element), builtin("f8E8M0FNU"), rule,
                             std::nullopt, std::nullopt};
        checkAgainstMpfr(scaling, mode);
      }
}

// Tests absmax, whose scales and elements are true quotients: stochastic
// rounding of a quotient uses its exact fraction, not the rounded double's.
TEST(BlockOracle, AbsMax) {
  for (RoundingMode mode :
       {RoundingMode::NearestEven, RoundingMode::NearestAway,
        RoundingMode::TowardZero, RoundingMode::Upward, RoundingMode::Downward,
        RoundingMode::Stochastic}) {
    checkAgainstMpfr({builtin("f8E4M3FN"), builtin("f16"), ScaleRule::AbsMax,
                      std::nullopt, std::nullopt},
                     mode);
    checkAgainstMpfr({builtin("f6E3M2FN"), builtin("bf16"), ScaleRule::AbsMax,
                      std::nullopt, std::nullopt},
                     mode);
  }
}
