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
  QuantizedBlock q = quantizeBlock(floor, {957, 1, -3}, {}, {});
  EXPECT_EQ(decodeScale(floor, q), 2.0);
  EXPECT_EQ(dequantizeElement(floor, q.elements[0], q.scale, 0, 1), 896);
  BlockScaling rceil = mx("f8E4M3FN", ScaleRule::RCeil);
  q = quantizeBlock(rceil, {957, 1, -3}, {}, {});
  EXPECT_EQ(decodeScale(rceil, q), 4.0); // 957 / 448 = 2.14 -> 2^2
  EXPECT_EQ(dequantizeElement(rceil, q.elements[0], q.scale, 0, 1), 960);
  // amax exactly max * 2^k: rceil keeps 2^k.
  q = quantizeBlock(rceil, {448 * 8.0}, {}, {});
  EXPECT_EQ(decodeScale(rceil, q), 8.0);
}

// Tests MXFP4 on a block whose amax is 6 * 2^k: elements decode exactly.
TEST(BlockScale, MXFP4ExactBlock) {
  BlockScaling s = mx("f4E2M1FN");
  std::vector<double> values = {24, -16, 12, 2, -0.0, 8, 4, -24};
  QuantizedBlock q = quantizeBlock(s, values, {}, {});
  EXPECT_EQ(decodeScale(s, q), 4.0); // floor(log2 24) - 2 = 2
  for (size_t i = 0; i < values.size(); ++i)
    EXPECT_EQ(dequantizeElement(s, q.elements[i], q.scale, 0, 1), values[i]);
}

// Tests the defined scale of an all-zero block: the smallest scale.
TEST(BlockScale, ZeroBlock) {
  BlockScaling s = mx("f4E2M1FN");
  QuantizedBlock q = quantizeBlock(s, {0, -0.0, 0}, {}, {});
  EXPECT_EQ(q.scale, 0x00u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), 0);
}

// Tests that NaN or inf anywhere in a block makes its E8M0 scale NaN (0xFF),
// and that a NaN-ignoring max would have been caught.
TEST(BlockScale, NonFiniteBlocks) {
  BlockScaling s = mx("f8E4M3FN");
  QuantizedBlock q = quantizeBlock(s, {1, NAN, 2}, {}, {});
  EXPECT_EQ(q.scale, 0xFFu);
  EXPECT_TRUE(std::isnan(dequantizeElement(s, q.elements[0], q.scale, 0, 1)));
  q = quantizeBlock(s, {NAN, 1, 2}, {}, {});
  EXPECT_EQ(q.scale, 0xFFu);
  q = quantizeBlock(s, {1, -INFINITY}, {}, {});
  EXPECT_EQ(q.scale, 0xFFu);
}

// Tests subnormal amax: the scale exponent clamps at 2^-127 and the
// elements keep what the element format can hold.
TEST(BlockScale, SubnormalAmax) {
  BlockScaling s = mx("f8E4M3FN");
  double tiny = std::ldexp(1.0, -134);
  QuantizedBlock q = quantizeBlock(s, {tiny, 3 * tiny}, {}, {});
  EXPECT_EQ(q.scale, 0x00u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), 3 * tiny);
  // 2^-150 is below 2^-127 * 2^-9 (the smallest E4M3 subnormal times the
  // smallest scale): it rounds to zero.
  q = quantizeBlock(s, {std::ldexp(1.0, -150)}, {}, {});
  EXPECT_EQ(dequantizeElement(s, q.elements[0], q.scale, 0, 1), 0);
}

// Tests MXINT8: elements are int8 read as 1.6 fixed point, emax_elem = 0.
TEST(BlockScale, MXINT8) {
  BlockScaling s{integer(8, true), builtin("f8E8M0FNU"), ScaleRule::Floor,
                 std::nullopt, std::nullopt};
  EXPECT_EQ(s.getElementUnit(), 1.0 / 64);
  QuantizedBlock q = quantizeBlock(s, {1.5, -0.25, 0.01}, {}, {});
  EXPECT_EQ(decodeScale(s, q), 1.0);
  EXPECT_EQ(q.elements[0], 96u);
  EXPECT_EQ(dequantizeElement(s, q.elements[1], q.scale, 0, 1), -0.25);
  EXPECT_EQ(dequantizeElement(s, q.elements[2], q.scale, 0, 1), 1.0 / 64);
}

// Tests that MXINT8 keeps to +-127/64 (as microxcaling does): -1.99, which
// rounds to -128/64 in the full int8 range, becomes -127/64 (code 0x81) in
// every mode, while code 0x80 still decodes to -2.
TEST(BlockScale, MXINT8IsSymmetric) {
  BlockScaling s{integer(8, true), builtin("f8E8M0FNU"), ScaleRule::Floor,
                 std::nullopt, std::nullopt};
  for (RoundingMode mode : {RoundingMode::NearestEven, RoundingMode::Downward,
                            RoundingMode::Stochastic}) {
    RoundingOptions rounding;
    rounding.mode = mode;
    uint64_t randomBits[2] = {0xFFFFFFFF, 0xFFFFFFFF};
    QuantizedBlock q =
        quantizeBlock(s, {-1.99, 1.99}, {}, rounding, randomBits);
    EXPECT_EQ(decodeScale(s, q), 1.0);
    EXPECT_EQ(q.elements[0], 0x81u);
    EXPECT_EQ(q.elements[1], 0x7Fu);
  }
  EXPECT_EQ(dequantizeElement(s, 0x80, 127, 0, 1), -2.0);
}

// Tests NVFP4's two levels as TransformerEngine computes them, in f32:
// S_enc = 2688 / amax, the stored tensor scale S_dec = f32(1 / S_enc), E4M3
// block scales and E2M1 elements x * f32(1 / f32(s_b * S_dec)). With amax 6,
// 448 * f32(1 / 448) rounds so that 1 / it is 1 and 1.75 sits on the tie
// between 1.5 and 2, which goes to even: 2 (code 4). (A rule on exact
// quotients gives 1.5 there.)
TEST(BlockScale, NVFP4) {
  BlockScaling s{builtin("f4E2M1FN"), builtin("f8E4M3FN"), ScaleRule::NVFP4,
                 builtin("f32"), std::nullopt};
  std::vector<double> values(32, 0.0);
  values[0] = 6;
  values[1] = 1.75;
  values[2] = -1.75;
  values[3] = 0.25; // the tie between 0 and 0.5: 0
  values[16] = 1e-5;
  values[17] = -5e-6;
  BlockScaledTensor t =
      quantizeTensor(s, {32}, {16}, values, RoundingOptions{});
  EXPECT_EQ(s.tensorScale->decode(t.tensorScale), 0x1.24924ap-9);
  ASSERT_EQ(t.scales.size(), 2u);
  EXPECT_EQ(t.scales[0], 0x7Eu); // 448
  EXPECT_EQ(t.elements[0], 7u);
  EXPECT_EQ(t.elements[1], 4u);
  EXPECT_EQ(t.elements[2], 12u);
  EXPECT_EQ(t.elements[3], 0u);
  // The second block's scale, f32(1e-5 * f32(448 * f32(1 / 6))), rounds to E4M3
  // 0: its reciprocal is inf, held at FLT_MAX, so nonzero elements become
  // +-6 (and decode to 0 under the zero scale).
  EXPECT_EQ(t.scales[1], 0u);
  EXPECT_EQ(t.elements[16], 7u);
  EXPECT_EQ(t.elements[17], 15u);
  EXPECT_EQ(t.elements[18], 0u);
  std::vector<double> back = dequantizeTensor(s, t);
  EXPECT_EQ(back[16], 0.0);
}

// Tests NVFP4's tensor-level edge cases: amax 0 gives S_enc = FLT_MAX and
// S_dec = 2^-128; amax inf gives S_enc = 1, and the block holding inf the
// largest scale with inf saturated to 6; a NaN makes every scale NaN.
TEST(BlockScale, NVFP4SpecialTensors) {
  BlockScaling s{builtin("f4E2M1FN"), builtin("f8E4M3FN"), ScaleRule::NVFP4,
                 builtin("f32"), std::nullopt};
  BlockScaledTensor zeros =
      quantizeTensor(s, {16}, {16}, std::vector<double>(16, 0.0), {});
  EXPECT_EQ(s.tensorScale->decode(zeros.tensorScale), 0x1p-128);
  EXPECT_EQ(zeros.scales[0], 0u);
  EXPECT_EQ(zeros.elements, std::vector<uint32_t>(16, 0));

  std::vector<double> infinite(16, 0.0);
  infinite[0] = INFINITY;
  infinite[1] = 1.0;
  infinite[2] = -INFINITY;
  BlockScaledTensor t = quantizeTensor(s, {16}, {16}, infinite, {});
  EXPECT_EQ(s.tensorScale->decode(t.tensorScale), 1.0);
  EXPECT_EQ(t.scales[0], 0x7Eu);
  EXPECT_EQ(t.elements[0], 7u);
  EXPECT_EQ(t.elements[1], 0u); // 1 / 448
  EXPECT_EQ(t.elements[2], 15u);

  std::vector<double> withNaN(32, 1.0);
  withNaN[20] = NAN;
  BlockScaledTensor n = quantizeTensor(s, {32}, {16}, withNaN, {});
  EXPECT_TRUE(std::isnan(s.tensorScale->decode(n.tensorScale)));
  EXPECT_EQ(n.scales, (std::vector<uint32_t>{0x7F, 0x7F}));
}

// Tests int4 per group with a zero point (GPTQ style): x = (q - z) * s.
TEST(BlockScale, Int4MinMaxZeroPoint) {
  BlockScaling s{integer(4, false), builtin("f16"), ScaleRule::MinMax,
                 std::nullopt, integer(4, false)};
  std::vector<double> values = {-1, 0, 0.5, 2};
  QuantizedBlock q = quantizeBlock(s, values, {}, {});
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
