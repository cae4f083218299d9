//===- BlockScaleTest.cpp - Block quantization under every scale rule -----===//

#include "lowp/Numerics/BlockScale.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace lowp::numerics;

namespace {
Format builtin(const char *name) {
  return *Format::tryMakeFloat(*getBuiltinFloatFormat(name), nullptr);
}
Format integer(unsigned width, bool isSigned) {
  return *Format::tryMakeInteger(width, isSigned, nullptr);
}
BlockScaling mx(const char *element, ScaleRule rule = ScaleRule::Floor) {
  return {builtin(element), builtin("f8E8M0FNU"), rule, std::nullopt,
          std::nullopt};
}
double decodeScale(const BlockScaling &s, const QuantizedBlock &b) {
  return s.scale.decode(b.scale);
}
} // namespace

// Tests the OCP floor rule's clipping of the block maximum (E4M3: 957 ->
// 896) and that rceil picks the next power of two instead.
TEST(BlockScale, FloorClipsRCeilDoesNot) {
  BlockScaling floor = mx("f8E4M3FN");
  QuantizedBlock q = quantizeBlock(floor, {957, 1, -3}, 1.0, {});
  EXPECT_EQ(decodeScale(floor, q), 2.0);
  EXPECT_EQ(dequantizeElement(floor, q.elements[0], q.scale, 0, 1), 896);
  BlockScaling rceil = mx("f8E4M3FN", ScaleRule::RCeil);
  q = quantizeBlock(rceil, {957, 1, -3}, 1.0, {});
  EXPECT_EQ(decodeScale(rceil, q), 4.0); // 957 / 448 = 2.14 -> 2^2
  EXPECT_EQ(dequantizeElement(rceil, q.elements[0], q.scale, 0, 1), 960);
  // amax exactly max * 2^k: rceil keeps 2^k.
  q = quantizeBlock(rceil, {448 * 8.0}, 1.0, {});
  EXPECT_EQ(decodeScale(rceil, q), 8.0);
}

// Tests MXFP4 on a block whose amax is 6 * 2^k: elements decode exactly.
TEST(BlockScale, MXFP4ExactBlock) {
  BlockScaling s = mx("f4E2M1FN");
  std::vector<double> values = {24, -16, 12, 2, -0.0, 8, 4, -24};
  QuantizedBlock q = quantizeBlock(s, values, 1.0, {});
  EXPECT_EQ(decodeScale(s, q), 4.0); // floor(log2 24) - 2 = 2
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(dequantizeElement(s, q.elements[i], q.scale, 0, 1), values[i]);
}

// Tests the defined scale of an all-zero block: the smallest scale.
TEST(BlockScale, ZeroBlock) {
  BlockScaling s = mx("f4E2M1FN");
  QuantizedBlock q = quantizeBlock(s, {0, -0.0, 0}, 1.0, {});
  EXPECT_EQ(q.scale, 0x00u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), 0);
}

// Tests that NaN or inf anywhere in a block makes its E8M0 scale NaN (0xFF),
// and that a NaN-ignoring max would have been caught.
TEST(BlockScale, NonFiniteBlocks) {
  BlockScaling s = mx("f8E4M3FN");
  QuantizedBlock q = quantizeBlock(s, {1, NAN, 2}, 1.0, {});
  EXPECT_EQ(q.scale, 0xFFu);
  EXPECT_TRUE(std::isnan(dequantizeElement(s, q.elements[0], q.scale, 0, 1)));
  q = quantizeBlock(s, {NAN, 1, 2}, 1.0, {});
  EXPECT_EQ(q.scale, 0xFFu);
  q = quantizeBlock(s, {1, -INFINITY}, 1.0, {});
  EXPECT_EQ(q.scale, 0xFFu);
}

// Tests subnormal amax: the scale exponent clamps at 2^-127 and the
// elements keep what the element format can hold.
TEST(BlockScale, SubnormalAmax) {
  BlockScaling s = mx("f8E4M3FN");
  double tiny = std::ldexp(1.0, -134);
  QuantizedBlock q = quantizeBlock(s, {tiny, 3 * tiny}, 1.0, {});
  EXPECT_EQ(q.scale, 0x00u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), 3 * tiny);
  // 2^-150 is below 2^-127 * 2^-9 (the smallest E4M3 subnormal times the
  // smallest scale): it rounds to zero.
  q = quantizeBlock(s, {std::ldexp(1.0, -150)}, 1.0, {});
  EXPECT_EQ(dequantizeElement(s, q.elements[0], q.scale, 0, 1), 0);
}

// Tests MXINT8: elements are int8 read as 1.6 fixed point, emax_elem = 0.
TEST(BlockScale, MXINT8) {
  BlockScaling s{integer(8, true), builtin("f8E8M0FNU"), ScaleRule::Floor,
                 std::nullopt, std::nullopt};
  EXPECT_EQ(s.getElementUnit(), 1.0 / 64);
  QuantizedBlock q = quantizeBlock(s, {1.5, -0.25, 0.01}, 1.0, {});
  EXPECT_EQ(decodeScale(s, q), 1.0);
  EXPECT_EQ(q.elements[0], 96u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), -0.25);
  EXPECT_EQ(dequantizeElement(s, q.elements[2], q.scale, 0, 1), 1.0 / 64);
}

// Tests NVFP4's two levels: tensor scale amax / (6 * 448) in f32, block
// scales in E4M3, elements in E2M1.
TEST(BlockScale, NVFP4) {
  BlockScaling s{builtin("f4E2M1FN"), builtin("f8E4M3FN"), ScaleRule::NVFP4,
                 builtin("f32"), std::nullopt};
  std::vector<double> values(32);
  for (int i = 0; i < 32; ++i)
    values[i] = (i - 16) * 0.25;
  BlockScaledTensor t =
      quantizeTensor(s, {32}, {16}, values, RoundingOptions{});
  double tensorScale = s.tensorScale->decode(t.tensorScale);
  EXPECT_EQ(tensorScale, double(float(4.0 / 2688)));
  ASSERT_EQ(t.scales.size(), 2u);
  std::vector<double> back = dequantizeTensor(s, t);
  for (int i = 0; i < 32; ++i)
    EXPECT_NEAR(back[i], values[i], 0.67) << i; // half E2M1's top step

  // The largest magnitude of each block survives to within E2M1's step
  // at 6 and E4M3's 1/16 relative step.
  EXPECT_NEAR(back[0], -4.0, 4.0 / 16);
}

// Tests int4 per group with a zero point (GPTQ style): x = (q - z) * s.
TEST(BlockScale, Int4MinMaxZeroPoint) {
  BlockScaling s{integer(4, false), builtin("f16"), ScaleRule::MinMax,
                 std::nullopt, integer(4, false)};
  std::vector<double> values = {-1, 0, 0.5, 2};
  QuantizedBlock q = quantizeBlock(s, values, 1.0, {});
  // 3 / 15 rounded to f16.
  EXPECT_EQ(decodeScale(s, q), 0.199951171875);
  EXPECT_EQ(q.zeroPoint, 5u); // round(1 / s) = round(5.0012)
  EXPECT_EQ(q.elements, (std::vector<uint32_t>{0, 5, 8, 15}));
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, q.zeroPoint, 1), 0);
  EXPECT_EQ(dequantizeElement(s, q.elements[3], q.scale, q.zeroPoint, 1),
            10 * 0.199951171875);
}

// Tests 2D blocks (16x16) and a block along the leading axis of a matrix.
TEST(BlockScale, TwoDimensionalAndLeadingAxisBlocks) {
  BlockScaling s = mx("f8E4M3FN");
  std::vector<double> values(32 * 32);
  for (int r = 0; r < 32; ++r)
    for (int c = 0; c < 32; ++c)
      values[r * 32 + c] = (r < 16 && c < 16) ? 1000.0 : 1.0;
  BlockScaledTensor t = quantizeTensor(s, {32, 32}, {16, 16}, values, {});
  EXPECT_EQ(t.scaleShape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(s.scale.decode(t.scales[0]), 2.0); // floor(log2 1000) - 8
  EXPECT_EQ(s.scale.decode(t.scales[1]), 1.0 / 256);
  BlockScaledTensor columns = quantizeTensor(s, {32, 32}, {32, 1}, values, {});
  EXPECT_EQ(columns.scaleShape, (std::vector<int64_t>{1, 32}));
  EXPECT_EQ(s.scale.decode(columns.scales[0]), 2.0);
  EXPECT_EQ(s.scale.decode(columns.scales[20]), 1.0 / 256);
  EXPECT_NE(verifyBlockShape({32, 30}, {1, 32}), "");
  EXPECT_NE(verifyBlockShape({32}, {1, 32}), "");
  EXPECT_EQ(verifyBlockShape({4, 32}, {32}), "");
}

// Tests that each rule's formats are checked.
TEST(BlockScale, VerifyRejectsMisfits) {
  Format fp4 = builtin("f4E2M1FN"), e8m0 = builtin("f8E8M0FNU");
  EXPECT_NE(BlockScaling::verify(fp4, integer(8, true), ScaleRule::Floor,
                                 std::nullopt, std::nullopt),
            "");
  EXPECT_NE(BlockScaling::verify(fp4, e8m0, ScaleRule::NVFP4, std::nullopt,
                                 std::nullopt),
            "");
  EXPECT_NE(BlockScaling::verify(fp4, e8m0, ScaleRule::Floor, builtin("f32"),
                                 std::nullopt),
            "");
  EXPECT_NE(BlockScaling::verify(fp4, builtin("f16"), ScaleRule::MinMax,
                                 std::nullopt, integer(4, false)),
            "");
  EXPECT_EQ(BlockScaling::verify(fp4, e8m0, ScaleRule::Floor, std::nullopt,
                                 std::nullopt),
            "");
}
