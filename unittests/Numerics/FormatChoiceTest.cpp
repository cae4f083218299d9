//===- FormatChoiceTest.cpp - Per-group format choice against exact errors ===//
//
// Tests that quantizeBlock with choices keeps, per block, the choice whose
// dequantized values have the least squared error. The oracle computes each
// candidate's error exactly with MPFR (differences, squares and the sum of
// doubles at 8800 bits lose nothing) and takes the first choice of least
// exact error; the core sums in double, so the two may differ only where
// two exact errors are within double rounding of each other, and the test
// counts those.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/BlockScale.h"

#include <gtest/gtest.h>
#include <mpfr.h>

#include <cmath>
#include <random>

using namespace lowp::numerics;

namespace {
Format builtin(const char *name) {
  return *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
}
Format integer(unsigned width, bool isSigned) {
  return *Format::tryMakeInteger(width, isSigned, nullptr);
}
/// E3M0 with every code finite: 0, 2^-2 .. 2^4 and their negatives.
Format e3m0() {
  FloatFormat f;
  f.exponentBits = 3;
  f.mantissaBits = 0;
  f.bias = 3;
  f.specials = SpecialValues::Finite;
  return *Format::tryMakeFloat(f, nullptr);
}

/// BitMoD's three 4-bit choices under `rule` with `scale`.
BlockScaling mixture(ScaleRule rule, const Format &scale) {
  BlockScaling s{integer(4, false), scale, rule, std::nullopt, std::nullopt};
  s.choices = {builtin("f4E2M1FN"), integer(4, true), e3m0()};
  return s;
}

/// The exact sum of squared errors of `block` as the values of `chosen`
/// (a scaling without choices), compared as MPFR numbers.
struct ExactError {
  mpfr_t sum;
  ExactError(const BlockScaling &chosen, const std::vector<double> &values,
             const QuantizedBlock &block) {
    mpfr_init2(sum, 8800);
    mpfr_set_zero(sum, 1);
    mpfr_t term;
    mpfr_init2(term, 8800);
    for (size_t i = 0; i < values.size(); ++i) {
      double r = chosen.element.decode(block.elements[i]) *
                 chosen.getElementUnit() * chosen.scale.decode(block.scale);
      mpfr_set_d(term, values[i], MPFR_RNDN);
      mpfr_sub_d(term, term, r, MPFR_RNDN);
      mpfr_sqr(term, term, MPFR_RNDN);
      mpfr_add(sum, sum, term, MPFR_RNDN);
    }
    mpfr_clear(term);
  }
  ~ExactError() { mpfr_clear(sum); }
  ExactError(const ExactError &) = delete;
};

struct Tally {
  int blocks = 0, nearTies = 0;
  int chosen[16] = {};
};

/// Checks one block against the exact oracle: the core's result must be
/// exactly its plain quantization under the chosen format, and the choice
/// the first of least exact error unless that error and the core's are
/// within 1e-12 of each other (double rounding of the sums).
void checkBlock(const BlockScaling &scaling, const std::vector<double> &values,
                Tally &tally) {
  QuantizedBlock got = quantizeBlock(scaling, values, {}, {});
  ASSERT_LT(got.selector, scaling.choices.size());
  QuantizedBlock plain =
      quantizeBlock(scaling.getChosen(got.selector), values, {}, {});
  EXPECT_EQ(got.elements, plain.elements);
  EXPECT_EQ(got.scale, plain.scale);

  bool finite = true;
  for (double v : values)
    finite = finite && std::isfinite(v);
  ++tally.blocks;
  ++tally.chosen[got.selector];
  if (!finite) {
    // Every candidate's error is NaN: the first choice stays.
    EXPECT_EQ(got.selector, 0u);
    return;
  }
  unsigned best = 0;
  std::vector<std::unique_ptr<ExactError>> errors;
  for (unsigned c = 0; c < scaling.choices.size(); ++c) {
    BlockScaling chosen = scaling.getChosen(c);
    errors.push_back(std::make_unique<ExactError>(
        chosen, values, quantizeBlock(chosen, values, {}, {})));
    if (mpfr_less_p(errors[c]->sum, errors[best]->sum))
      best = c;
  }
  if (got.selector == best)
    return;
  // Not the exact best: only a near tie may explain it.
  double a = mpfr_get_d(errors[best]->sum, MPFR_RNDN);
  double b = mpfr_get_d(errors[got.selector]->sum, MPFR_RNDN);
  EXPECT_LE(std::fabs(a - b), 1e-12 * std::max(a, b))
      << "choice " << got.selector << " (error " << b << ") over " << best
      << " (error " << a << ")";
  ++tally.nearTies;
}

/// Blocks where each choice can win: Gaussian values, Gaussian with an
/// outlier, integers, powers of two, values on each format's grid, zeros,
/// subnormals and NaN/inf.
std::vector<std::vector<double>> testBlocks(std::mt19937 &random) {
  std::vector<std::vector<double>> blocks;
  std::normal_distribution<double> gauss;
  std::uniform_int_distribution<int> exponent(-20, 20);
  auto f32 = [](double v) { return double(float(v)); };
  for (int b = 0; b < 600; ++b) {
    std::vector<double> block(32);
    double scale = std::ldexp(1.0, exponent(random));
    for (size_t i = 0; i < block.size(); ++i) {
      double v = gauss(random);
      switch (b % 5) {
      case 0: // Gaussian
        break;
      case 1: // one outlier
        if (i == size_t(b) % 32)
          v *= 12;
        break;
      case 2: // integers -8..7
        v = std::round(std::clamp(v * 3, -8.0, 7.0));
        break;
      case 3: // powers of two
        v = std::copysign(std::ldexp(1.0, int(std::round(v * 2))), v);
        break;
      case 4: // uniform
        v = std::uniform_real_distribution<double>(-1, 1)(random);
        break;
      }
      block[i] = f32(v * scale);
    }
    blocks.push_back(block);
  }
  blocks.push_back(std::vector<double>(32, 0.0));
  blocks.push_back(std::vector<double>(32, std::ldexp(1.0, -140)));
  std::vector<double> special(32, 1.0);
  special[3] = NAN;
  blocks.push_back(special);
  special[3] = -INFINITY;
  blocks.push_back(special);
  return blocks;
}
} // namespace

TEST(FormatChoice, LeastExactErrorUnderEachRule) {
  std::mt19937 random(11);
  std::vector<std::vector<double>> blocks = testBlocks(random);
  for (auto [rule, scale] : {std::pair(ScaleRule::Floor, builtin("f8E8M0FNU")),
                             std::pair(ScaleRule::RCeil, builtin("f8E8M0FNU")),
                             std::pair(ScaleRule::AbsMax, builtin("f16"))}) {
    SCOPED_TRACE(stringifyScaleRule(rule));
    BlockScaling scaling = mixture(rule, scale);
    Tally tally;
    for (const std::vector<double> &block : blocks)
      checkBlock(scaling, block, tally);
    // Every choice wins somewhere, and near ties stay rare.
    for (unsigned c = 0; c < 3; ++c)
      EXPECT_GT(tally.chosen[c], 10) << "choice " << c;
    EXPECT_LE(tally.nearTies, 2);
  }
}

// Every block of two values from a grid that holds each choice's values at
// several scales (between and past their grid points) and zero, under
// floor: every ordered pair
// of grid values, with both signs of the second.
TEST(FormatChoice, ExhaustiveTwoElementGrid) {
  BlockScaling scaling = mixture(ScaleRule::Floor, builtin("f8E8M0FNU"));
  std::vector<double> grid{0.0};
  for (const Format &choice : scaling.choices) {
    BlockScaling chosen = scaling.getChosen(&choice - &scaling.choices[0]);
    for (uint32_t code = 0; code < choice.getNumCodes(); ++code) {
      double v = choice.decode(code) * chosen.getElementUnit();
      if (v > 0)
        for (double k : {0.25, 0.6, 1.0, 1.1, 1.5, 3.0, 7.0})
          grid.push_back(v * k);
    }
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  Tally tally;
  for (double a : grid)
    for (double b : grid)
      for (double sign : {1.0, -1.0})
        checkBlock(scaling, {a, sign * b}, tally);
  EXPECT_GT(tally.blocks, 5000);
  for (unsigned c = 0; c < 3; ++c)
    EXPECT_GT(tally.chosen[c], 100) << "choice " << c;
  EXPECT_LE(tally.nearTies, tally.blocks / 1000);
}

// Tests that ties keep the earlier choice: a list of one format twice is
// that format's encoding with every selector 0, and a zero block takes
// choice 0 whatever the list.
TEST(FormatChoice, TiesKeepTheEarlierChoice) {
  std::mt19937 random(5);
  BlockScaling twice{integer(4, false), builtin("f8E8M0FNU"), ScaleRule::Floor,
                     std::nullopt, std::nullopt};
  twice.choices = {builtin("f4E2M1FN"), builtin("f4E2M1FN")};
  BlockScaling plain = twice.getChosen(0);
  for (const std::vector<double> &block : testBlocks(random)) {
    QuantizedBlock a = quantizeBlock(twice, block, {}, {});
    QuantizedBlock b = quantizeBlock(plain, block, {}, {});
    EXPECT_EQ(a.selector, 0u);
    EXPECT_EQ(a.elements, b.elements);
    EXPECT_EQ(a.scale, b.scale);
  }
  BlockScaling scaling = mixture(ScaleRule::Floor, builtin("f8E8M0FNU"));
  EXPECT_EQ(
      quantizeBlock(scaling, std::vector<double>(8, 0.0), {}, {}).selector, 0u);
}

// Tests that the mixture's total error is at most the best single format's
// on Gaussian weights with outliers, and strictly less: the point of
// choosing per block.
TEST(FormatChoice, MixtureBeatsEverySingleFormat) {
  std::mt19937 random(3);
  std::normal_distribution<double> gauss;
  std::vector<int64_t> shape{64, 256}, block{32};
  std::vector<double> values(64 * 256);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = float(gauss(random) * (i % 97 == 0 ? 10 : 1));
    // Every third row is integer-valued: INT4's grid.
    if ((i / 256) % 3 == 0)
      values[i] = std::round(std::clamp(values[i] * 2, -8.0, 7.0));
  }
  auto totalError = [&](const BlockScaling &scaling) {
    BlockScaledTensor q = quantizeTensor(scaling, shape, block, values, {});
    std::vector<double> back = dequantizeTensor(scaling, q);
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i)
      sum += (values[i] - back[i]) * (values[i] - back[i]);
    return sum;
  };
  BlockScaling scaling = mixture(ScaleRule::Floor, builtin("f8E8M0FNU"));
  double mixed = totalError(scaling);
  for (unsigned c = 0; c < scaling.choices.size(); ++c)
    EXPECT_LT(mixed, totalError(scaling.getChosen(c))) << "choice " << c;
}

// Tests that dequantization reads each block's selector, and that a
// selector past the last choice reads as NaN.
TEST(FormatChoice, DequantizeBySelector) {
  BlockScaling scaling = mixture(ScaleRule::Floor, builtin("f8E8M0FNU"));
  BlockScaledTensor t;
  t.shape = {4, 2};
  t.block = {2};
  t.scaleShape = {4, 1};
  t.elements = {7, 1, 7, 1, 7, 1, 7, 1};
  t.scales = {127, 127, 127, 127};
  t.selectors = {0, 1, 2, 3};
  std::vector<double> v = dequantizeTensor(scaling, t);
  EXPECT_EQ(v[0], 6.0);  // E2M1 0b0111
  EXPECT_EQ(v[1], 0.5);  // E2M1 0b0001
  EXPECT_EQ(v[2], 1.75); // INT4 7 in MX units of 2^-2
  EXPECT_EQ(v[3], 0.25); // INT4 1
  EXPECT_EQ(v[4], 16.0); // E3M0 0b0111: 2^(7-3)
  EXPECT_EQ(v[5], 0.25); // E3M0 0b0001: 2^(1-3)
  EXPECT_TRUE(std::isnan(v[6]));
  EXPECT_TRUE(std::isnan(v[7]));
  EXPECT_EQ(scaling.getSelectorBits(), 2u);
}

TEST(FormatChoice, VerifyRejectsMisfits) {
  Format fp4 = builtin("f4E2M1FN");
  EXPECT_EQ(
      BlockScaling::verifyChoices({fp4, integer(4, true)}, ScaleRule::Floor),
      "");
  EXPECT_NE(BlockScaling::verifyChoices({fp4}, ScaleRule::Floor), "");
  EXPECT_NE(
      BlockScaling::verifyChoices({fp4, integer(8, true)}, ScaleRule::Floor),
      "");
  EXPECT_NE(
      BlockScaling::verifyChoices({fp4, integer(4, true)}, ScaleRule::MinMax),
      "");
  EXPECT_NE(
      BlockScaling::verifyChoices({fp4, integer(4, true)}, ScaleRule::NVFP4),
      "");
  EXPECT_NE(
      BlockScaling::verifyChoices(
          {fp4, *Format::tryMakeLogarithmic(2, 1, nullptr)}, ScaleRule::Floor),
      "");
}
