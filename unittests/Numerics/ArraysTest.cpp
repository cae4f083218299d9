//===- ArraysTest.cpp - The array codec against Format::encode ------------===//
//
// ArrayCodec's f32 table must be Format::encode exactly. A wrong table
// entry can only misplace a split between two codes, and every split lies
// at a code's value (directed modes) or at the midpoint of two neighbouring
// values (nearest modes), so the tests encode the f32 patterns within a few
// ulps of every code value and every midpoint of every format, plus random
// patterns, zeros, infinities and NaNs, and compare element by element.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Arrays.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

using namespace lowp::numerics;

namespace {

const RoundingMode deterministicModes[] = {
    RoundingMode::NearestEven, RoundingMode::NearestAway,
    RoundingMode::TowardZero, RoundingMode::Upward, RoundingMode::Downward};

float bitsFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

/// Every format the tests cover: the builtin floats of up to 16 bits, some
/// integers and a codebook.
std::vector<std::pair<std::string, Format>> formatsUnderTest() {
  std::vector<std::pair<std::string, Format>> formats;
  std::string error;
  for (const std::string &name : getBuiltinFloatFormatNames()) {
    FloatFormat params = *getBuiltinFloatFormat(name);
    if (params.exponentBits + params.mantissaBits + params.isSigned > 16)
      continue;
    formats.emplace_back(name, *Format::tryMakeFloat(params, &error));
  }
  for (auto [width, isSigned] : {std::pair{4u, true}, std::pair{4u, false},
                                 std::pair{8u, true}, std::pair{12u, true}})
    formats.emplace_back((isSigned ? "i" : "ui") + std::to_string(width),
                         *Format::tryMakeInteger(width, isSigned, &error));
  formats.emplace_back(
      "nf4-like",
      *Format::tryMakeCodebook(
          4,
          {-1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453,
           -0.28444138169288635, -0.18477343022823334, -0.09105003625154495,
           0.0, 0.07958029955625534, 0.16093020141124725, 0.24611230194568634,
           0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
           0.7229568362236023, 1.0},
          &error));
  return formats;
}

/// f32 inputs at every rounding boundary of `format`, and more.
std::vector<float> boundaryInputs(const Format &format) {
  std::vector<double> points;
  std::vector<double> values;
  for (uint64_t code = 0; code < format.getNumCodes(); ++code) {
    double value = format.decode(uint32_t(code));
    if (std::isfinite(value))
      values.push_back(value);
  }
  std::sort(values.begin(), values.end());
  for (size_t i = 0; i < values.size(); ++i) {
    points.push_back(values[i]);
    if (i + 1 < values.size())
      points.push_back((values[i] + values[i + 1]) / 2);
  }
  points.push_back(format.getMaxFinite() * 2);
  points.push_back(-format.getMaxFinite() * 2);
  std::vector<float> inputs;
  for (double point : points) {
    float center = float(point);
    if (!std::isfinite(center))
      continue;
    uint32_t bits = floatBits(center);
    for (int delta = -3; delta <= 3; ++delta)
      inputs.push_back(bitsFloat(bits + uint32_t(delta)));
  }
  std::mt19937 random(42);
  for (int i = 0; i < (1 << 18); ++i)
    inputs.push_back(bitsFloat(uint32_t(random())));
  for (float special :
       {0.0f, -0.0f, std::numeric_limits<float>::infinity(),
        -std::numeric_limits<float>::infinity(),
        std::numeric_limits<float>::quiet_NaN(),
        -std::numeric_limits<float>::quiet_NaN(),
        std::numeric_limits<float>::denorm_min(),
        -std::numeric_limits<float>::denorm_min(),
        std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()})
    inputs.push_back(special);
  return inputs;
}

uint32_t codeAt(const std::vector<uint8_t> &codes, unsigned bytes, size_t i) {
  uint32_t code = 0;
  std::memcpy(&code, codes.data() + i * bytes, bytes);
  return code;
}

TEST(ArrayCodec, EncodeF32IsFormatEncode) {
  for (const auto &[name, format] : formatsUnderTest()) {
    std::vector<float> inputs = boundaryInputs(format);
    for (RoundingMode mode : deterministicModes)
      for (bool saturate : {false, true}) {
        RoundingOptions options;
        options.mode = mode;
        options.saturate = saturate;
        ArrayCodec codec(format, options);
        std::vector<uint8_t> codes(inputs.size() * codec.getCodeBytes());
        codec.encode(inputs.data(), int64_t(inputs.size()), codes.data());
        for (size_t i = 0; i < inputs.size(); ++i) {
          uint32_t expected = format.encode(double(inputs[i]), options);
          ASSERT_EQ(codeAt(codes, codec.getCodeBytes(), i), expected)
              << name << " " << stringifyRoundingMode(mode)
              << " saturate=" << saturate << " x=" << std::hexfloat
              << inputs[i];
        }
      }
  }
}

TEST(ArrayCodec, EncodeF64RoundsTheDouble) {
  std::string error;
  Format e4m3 =
      *Format::tryMakeFloat(*getBuiltinFloatFormat("f8E4M3FN"), &error);
  ArrayCodec codec(e4m3, RoundingOptions());
  // 1 + 2^-4 + 2^-40 is above the tie between 1 and 1.125 only as a
  // double; rounding it through f32 first would give the tie, then 1.
  std::vector<double> inputs = {
      1.0 + 0x1p-4 + 0x1p-40, 1.0 + 0x1p-4, 0.1, -3.3, 1e300, -0.0};
  std::vector<uint8_t> codes(inputs.size());
  codec.encode(inputs.data(), int64_t(inputs.size()), codes.data());
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(codes[i], e4m3.encode(inputs[i], RoundingOptions()))
        << std::hexfloat << inputs[i];
  EXPECT_EQ(e4m3.decode(codes[0]), 1.125);
  EXPECT_EQ(e4m3.decode(codes[1]), 1.0);
}

TEST(ArrayCodec, StochasticTakesEachElementsRandomBits) {
  std::string error;
  Format e2m1 =
      *Format::tryMakeFloat(*getBuiltinFloatFormat("f4E2M1FN"), &error);
  RoundingOptions options;
  options.mode = RoundingMode::Stochastic;
  options.randomBitCount = 8;
  ArrayCodec codec(e2m1, options);
  std::vector<float> inputs;
  std::vector<uint64_t> random;
  for (uint64_t r = 0; r < 256; ++r) {
    inputs.push_back(1.25f);
    random.push_back(r);
  }
  std::vector<uint8_t> codes(inputs.size());
  codec.encode(inputs.data(), int64_t(inputs.size()), codes.data(),
               random.data());
  int roundedUp = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    RoundingOptions element = options;
    element.randomBits = random[i];
    ASSERT_EQ(codes[i], e2m1.encode(1.25, element)) << "r=" << random[i];
    roundedUp += e2m1.decode(codes[i]) == 1.5;
  }
  // 1.25 lies half way from 1 to 1.5: half of the random numbers round up.
  EXPECT_EQ(roundedUp, 128);
}

TEST(ArrayCodec, DecodeAndRoundAreTheCodesValues) {
  for (const auto &[name, format] : formatsUnderTest()) {
    ArrayCodec codec(format, RoundingOptions());
    std::vector<uint32_t> all(format.getNumCodes());
    for (size_t code = 0; code < all.size(); ++code)
      all[code] = uint32_t(code);
    std::vector<uint8_t> codes(all.size() * codec.getCodeBytes());
    for (size_t i = 0; i < all.size(); ++i)
      std::memcpy(codes.data() + i * codec.getCodeBytes(), &all[i],
                  codec.getCodeBytes());
    ASSERT_EQ(codec.findInvalidCode(codes.data(), int64_t(all.size())), -1);
    std::vector<double> values(all.size());
    codec.decode(codes.data(), int64_t(all.size()), values.data());
    for (size_t code = 0; code < all.size(); ++code) {
      double expected = format.decode(uint32_t(code));
      if (std::isnan(expected))
        EXPECT_TRUE(std::isnan(values[code])) << name << " code " << code;
      else
        EXPECT_EQ(values[code], expected) << name << " code " << code;
    }

    std::vector<float> inputs = boundaryInputs(format);
    std::vector<float> rounded(inputs.size());
    codec.round(inputs.data(), int64_t(inputs.size()), rounded.data());
    for (size_t i = 0; i < inputs.size(); ++i) {
      float expected =
          float(format.decode(format.encode(inputs[i], RoundingOptions())));
      if (std::isnan(expected))
        ASSERT_TRUE(std::isnan(rounded[i])) << name;
      else
        ASSERT_EQ(floatBits(rounded[i]), floatBits(expected))
            << name << " x=" << std::hexfloat << inputs[i];
    }
  }
}

TEST(ArrayCodec, FindsCodesWiderThanTheFormat) {
  std::string error;
  Format e2m1 =
      *Format::tryMakeFloat(*getBuiltinFloatFormat("f4E2M1FN"), &error);
  ArrayCodec codec(e2m1, RoundingOptions());
  std::vector<uint8_t> codes = {0, 15, 3, 16, 1};
  EXPECT_EQ(codec.findInvalidCode(codes.data(), 5), 3);
  EXPECT_EQ(codec.findInvalidCode(codes.data(), 3), -1);
}

TEST(ArrayCodec, ManyThreadsMatchOne) {
  std::string error;
  Format f16 = *Format::tryMakeFloat(*getBuiltinFloatFormat("f16"), &error);
  ArrayCodec codec(f16, RoundingOptions());
  std::mt19937 random(7);
  std::normal_distribution<float> normal;
  std::vector<float> inputs(1 << 20);
  for (float &x : inputs)
    x = normal(random) * 1000;
  std::vector<uint16_t> one(inputs.size()), many(inputs.size());
  codec.encode(inputs.data(), int64_t(inputs.size()), one.data(), nullptr, 1);
  codec.encode(inputs.data(), int64_t(inputs.size()), many.data(), nullptr, 8);
  EXPECT_EQ(one, many);
  for (size_t i = 0; i < inputs.size(); i += 997)
    ASSERT_EQ(one[i], f16.encode(inputs[i], RoundingOptions()));
}

} // namespace
