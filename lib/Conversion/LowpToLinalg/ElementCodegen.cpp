//===- ElementCodegen.cpp - The numerics core as scalar arith code --------===//
//
// The algorithms mirror lib/Numerics/Format.cpp step for step (see the
// comments there); this file only says where the generated form differs.
// All integer work is on i64: a double's 53-bit significand gains one bit
// for the sticky direction, so 54 bits are the most any step holds.
//
//===----------------------------------------------------------------------===//

#include "ElementCodegen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

Type lowp::getStorageType(Type elementType) {
  if (elementType.isF64() || elementType.isF32())
    return elementType;
  MLIRContext *context = elementType.getContext();
  // 64-bit integers (no numerics format) are themselves, signless, and
  // index crosses function boundaries as one.
  if (auto integer = dyn_cast<IntegerType>(elementType);
      (integer && integer.getWidth() == 64) || isa<IndexType>(elementType))
    return IntegerType::get(context, 64);
  std::optional<Format> format = getNumericFormat(elementType);
  unsigned width = format ? format->getBitWidth() : 32;
  unsigned container = width <= 8 ? 8 : width <= 16 ? 16 : 32;
  return IntegerType::get(context, container);
}

Value ElementCodegen::i64(int64_t value) {
  return arith::ConstantIntOp::create(b, b.getI64Type(), value);
}

Value ElementCodegen::f64(double value) {
  return arith::ConstantFloatOp::create(b, b.getF64Type(), APFloat(value));
}

Value ElementCodegen::select(Value condition, Value a, Value c) {
  return arith::SelectOp::create(b, condition, a, c);
}

Value ElementCodegen::loadCode(Value stored) {
  Type type = stored.getType();
  if (auto floatType = dyn_cast<FloatType>(type))
    stored = arith::BitcastOp::create(b, b.getIntegerType(floatType.getWidth()),
                                      stored);
  if (stored.getType().getIntOrFloatBitWidth() == 64)
    return stored;
  return arith::ExtUIOp::create(b, b.getI64Type(), stored);
}

Value ElementCodegen::storeCode(Value code, Type storageType) {
  unsigned width = storageType.getIntOrFloatBitWidth();
  Value integer = code;
  if (width < 64)
    integer = arith::TruncIOp::create(b, b.getIntegerType(width), code);
  if (isa<FloatType>(storageType))
    return arith::BitcastOp::create(b, storageType, integer);
  return integer;
}

Value ElementCodegen::floorLog2(Value x) {
  Value bits = arith::BitcastOp::create(b, b.getI64Type(), x);
  Value magnitude = arith::AndIOp::create(b, bits, i64(0x7FFFFFFFFFFFFFFFLL));
  Value field = arith::ShRUIOp::create(b, magnitude, i64(52));
  // Subnormal doubles: 63 - clz(mantissa) - 1074.
  Value leading = math::CountLeadingZerosOp::create(b, magnitude);
  Value subnormal = arith::SubIOp::create(
      b, arith::SubIOp::create(b, i64(63), leading), i64(1074));
  Value normal = arith::SubIOp::create(b, field, i64(1023));
  Value isSubnormal =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq, field, i64(0));
  return select(isSubnormal, subnormal, normal);
}

Value ElementCodegen::exp2(Value e) {
  Value bits =
      arith::ShLIOp::create(b, arith::AddIOp::create(b, e, i64(1023)), i64(52));
  return arith::BitcastOp::create(b, b.getF64Type(), bits);
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

Value ElementCodegen::decode(const ValueFormat &valueFormat, Value code,
                             Value table) {
  if (valueFormat.isF64)
    return arith::BitcastOp::create(b, b.getF64Type(), code);
  const Format &format = *valueFormat.format;
  auto cmp = [&](arith::CmpIPredicate p, Value x, Value y) {
    return arith::CmpIOp::create(b, p, x, y);
  };
  switch (format.getKind()) {
  case Format::Kind::Integer: {
    const IntegerFormat &integer = format.getInteger();
    if (!integer.isSigned)
      return arith::UIToFPOp::create(b, b.getF64Type(), code);
    // Sign-extend the width-bit code.
    unsigned shift = 64 - integer.width;
    Value extended = arith::ShRSIOp::create(
        b, arith::ShLIOp::create(b, code, i64(shift)), i64(shift));
    return arith::SIToFPOp::create(b, b.getF64Type(), extended);
  }
  case Format::Kind::Codebook: {
    Value index = arith::IndexCastUIOp::create(b, b.getIndexType(), code);
    return tensor::ExtractOp::create(b, table, ValueRange{index});
  }
  case Format::Kind::Posit:
    return decodePosit(format, code);
  case Format::Kind::HiFloat8:
    return decodeHiFloat8(code);
  case Format::Kind::Logarithmic:
    return decodeLogarithmic(format, code, nullptr);
  case Format::Kind::Float:
    break;
  }

  const FloatFormat &f = format.getFloat();
  const int n = int(f.exponentBits + f.mantissaBits);
  const int m = int(f.mantissaBits);
  Value magnitude = arith::AndIOp::create(b, code, i64((int64_t(1) << n) - 1));
  Value field = arith::ShRUIOp::create(b, magnitude, i64(m));
  Value fraction =
      arith::AndIOp::create(b, magnitude, i64((int64_t(1) << m) - 1));
  // Normal: the double with the same exponent and the fraction shifted up.
  Value exponent = arith::AddIOp::create(b, field, i64(1023 - f.bias));
  Value normalBits =
      arith::OrIOp::create(b, arith::ShLIOp::create(b, exponent, i64(52)),
                           arith::ShLIOp::create(b, fraction, i64(52 - m)));
  Value value = arith::BitcastOp::create(b, b.getF64Type(), normalBits);
  if (f.specials != SpecialValues::E8M0) {
    // Subnormal: fraction * 2^(1 - bias - M), exact in double.
    Value subnormal = arith::MulFOp::create(
        b, arith::UIToFPOp::create(b, b.getF64Type(), fraction),
        f64(std::ldexp(1.0, 1 - f.bias - m)));
    value =
        select(cmp(arith::CmpIPredicate::eq, field, i64(0)), subnormal, value);
  }
  if (f.isSigned) {
    Value negative =
        cmp(arith::CmpIPredicate::ne,
            arith::AndIOp::create(b, code, i64(int64_t(1) << n)), i64(0));
    value = select(negative, arith::NegFOp::create(b, value), value);
  }
  if (format.hasInfinity()) {
    Value isInf = cmp(arith::CmpIPredicate::eq, magnitude,
                      i64(int64_t(format.getInfCode(false))));
    Value inf = select(
        arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, value, f64(0)),
        f64(-INFINITY), f64(INFINITY));
    value = select(isInf, inf, value);
  }
  if (format.hasNaN()) {
    // Every NaN code of the format, as the core's isNaNCode says.
    Value isNaN;
    uint64_t allOnes = (uint64_t(1) << n) - 1;
    switch (f.specials) {
    case SpecialValues::IEEE:
      isNaN = cmp(arith::CmpIPredicate::ugt, magnitude,
                  i64(int64_t(format.getInfCode(false))));
      break;
    case SpecialValues::FN:
    case SpecialValues::E8M0:
      isNaN = cmp(arith::CmpIPredicate::eq, magnitude, i64(int64_t(allOnes)));
      break;
    case SpecialValues::FNUZ:
      isNaN = cmp(arith::CmpIPredicate::eq, code, i64(int64_t(1) << n));
      break;
    case SpecialValues::Finite:
      break;
    }
    value = select(isNaN, f64(NAN), value);
  }
  return value;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

namespace {
/// |x| as a significand m2 (< 2^54) times 2^k2 with floor(log2 |x|) = L2,
/// after the sticky bit; see decompose() in lib/Numerics/Format.cpp.
struct Decomposed {
  Value negative, isNaN, isInf, isZero;
  Value m2, k2, L2;
};
} // namespace

static Decomposed decompose(ElementCodegen &g, ImplicitLocOpBuilder &b, Value x,
                            Value sticky) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Value zeroF = g.f64(0);
  if (sticky) {
    // A zero plus an infinitesimal is the smallest double of that sign:
    // every format's smallest value lies far above it.
    Value isZero =
        arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, x, zeroF);
    Value tiny = g.select(cmp(P::slt, sticky, g.i64(0)),
                          g.f64(-std::numeric_limits<double>::denorm_min()),
                          g.f64(std::numeric_limits<double>::denorm_min()));
    Value moved =
        arith::AndIOp::create(b, isZero, cmp(P::ne, sticky, g.i64(0)));
    x = g.select(moved, tiny, x);
    sticky = g.select(moved, g.i64(0), sticky);
  }
  Decomposed d;
  Value bits = arith::BitcastOp::create(b, b.getI64Type(), x);
  d.negative = cmp(P::slt, bits, g.i64(0));
  Value magnitude = arith::AndIOp::create(b, bits, g.i64(0x7FFFFFFFFFFFFFFFLL));
  const int64_t infBits = 0x7FF0000000000000LL;
  d.isNaN = cmp(P::ugt, magnitude, g.i64(infBits));
  d.isInf = cmp(P::eq, magnitude, g.i64(infBits));
  d.isZero = cmp(P::eq, magnitude, g.i64(0));
  Value field = arith::ShRUIOp::create(b, magnitude, g.i64(52));
  Value mantissa =
      arith::AndIOp::create(b, magnitude, g.i64((int64_t(1) << 52) - 1));
  // Subnormal doubles lie below every format's smallest value by hundreds
  // of binades: any of them rounds like 2^-1100.
  Value isSubnormal = cmp(P::eq, field, g.i64(0));
  Value m =
      g.select(isSubnormal, g.i64(int64_t(1) << 52),
               arith::OrIOp::create(b, mantissa, g.i64(int64_t(1) << 52)));
  Value L = g.select(isSubnormal, g.i64(-1100),
                     arith::SubIOp::create(b, field, g.i64(1023)));
  // Sticky in magnitude terms: toward a larger value is toward a larger
  // magnitude only for positive x.
  Value stickyMagnitude = g.i64(0);
  if (sticky)
    stickyMagnitude = g.select(
        d.negative, arith::SubIOp::create(b, g.i64(0), sticky), sticky);
  d.m2 = arith::AddIOp::create(b, arith::ShLIOp::create(b, m, g.i64(1)),
                               stickyMagnitude);
  d.k2 = arith::SubIOp::create(b, L, g.i64(53));
  Value dropped = arith::ExtUIOp::create(
      b, b.getI64Type(), cmp(P::ult, d.m2, g.i64(int64_t(1) << 53)));
  d.L2 = arith::SubIOp::create(b, L, dropped);
  return d;
}

/// Whether a magnitude whose discarded low part is `rem` (of `shift` bits,
/// `half` = 2^(shift-1), or above every rem when shift >= 64) rounds away
/// from zero to the next code, the lower code being odd when `lowerOdd`.
static Value roundsAway(ElementCodegen &g, ImplicitLocOpBuilder &b, Value rem,
                        Value shift, Value half, Value lowerOdd, Value negative,
                        const RoundingOptions &options, Value random) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Value remNonzero = cmp(P::ne, rem, g.i64(0));
  switch (options.mode) {
  case RoundingMode::TowardZero:
    return arith::ConstantIntOp::create(b, b.getI1Type(), 0);
  case RoundingMode::Upward:
    return arith::AndIOp::create(
        b, remNonzero,
        arith::XOrIOp::create(
            b, negative, arith::ConstantIntOp::create(b, b.getI1Type(), 1)));
  case RoundingMode::Downward:
    return arith::AndIOp::create(b, remNonzero, negative);
  case RoundingMode::NearestAway:
    return cmp(P::uge, rem, half);
  case RoundingMode::NearestEven:
    return arith::OrIOp::create(
        b, cmp(P::ugt, rem, half),
        arith::AndIOp::create(b, cmp(P::eq, rem, half), lowerOdd));
  case RoundingMode::Stochastic: {
    // floor(rem / 2^shift * 2^k): a right shift by shift - k (>= 0 past
    // 32 - 3 bits), or a left shift of at most a few bits.
    int64_t k = options.randomBitCount;
    Value right = arith::SubIOp::create(b, shift, g.i64(k));
    Value rightClamped = arith::MinSIOp::create(
        b, arith::MaxSIOp::create(b, right, g.i64(0)), g.i64(63));
    Value leftAmount = arith::MaxSIOp::create(
        b, arith::SubIOp::create(b, g.i64(0), right), g.i64(0));
    Value top = g.select(cmp(P::sge, right, g.i64(0)),
                         arith::ShRUIOp::create(b, rem, rightClamped),
                         arith::ShLIOp::create(b, rem, leftAmount));
    top = g.select(cmp(P::sge, right, g.i64(64)), g.i64(0), top);
    Value r = arith::AndIOp::create(b, random, g.i64((int64_t(1) << k) - 1));
    return cmp(P::uge, arith::AddIOp::create(b, top, r),
               g.i64(int64_t(1) << k));
  }
  }
  return arith::ConstantIntOp::create(b, b.getI1Type(), 0);
}

/// The multiple of 2^quantum nearest |x| in the rounding direction, given
/// that the code of multiple I is I + codeOffset (for ties to the even
/// code).
static Value roundToQuantum(ElementCodegen &g, ImplicitLocOpBuilder &b,
                            const Decomposed &d, Value quantum,
                            Value codeOffset, const RoundingOptions &options,
                            Value random) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Value shift = arith::SubIOp::create(b, quantum, d.k2);
  // Shifts of 64 or more are poison in LLVM: clamp, and select the answer
  // such a shift would give (all bits discarded, far below half).
  Value big = cmp(P::sge, shift, g.i64(64));
  Value clamped = arith::MinSIOp::create(b, shift, g.i64(63));
  Value one = g.i64(1);
  Value integerPart =
      g.select(big, g.i64(0), arith::ShRUIOp::create(b, d.m2, clamped));
  Value mask =
      arith::SubIOp::create(b, arith::ShLIOp::create(b, one, clamped), one);
  Value rem = g.select(big, d.m2, arith::AndIOp::create(b, d.m2, mask));
  Value half = g.select(
      big, g.i64(INT64_MIN),
      arith::ShLIOp::create(b, one, arith::SubIOp::create(b, clamped, one)));
  Value lowerOdd =
      cmp(P::ne,
          arith::AndIOp::create(
              b, arith::AddIOp::create(b, integerPart, codeOffset), one),
          g.i64(0));
  Value increment =
      roundsAway(g, b, rem, shift, half, lowerOdd, d.negative, options, random);
  return arith::AddIOp::create(
      b, integerPart, arith::ExtUIOp::create(b, b.getI64Type(), increment));
}

/// Whether the mode rounds a value of this sign toward zero (the directed
/// modes' overflow gives max, not inf or NaN).
static Value roundsTowardZero(ImplicitLocOpBuilder &b,
                              const RoundingOptions &options, Value negative) {
  Value one = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  switch (options.mode) {
  case RoundingMode::TowardZero:
    return one;
  case RoundingMode::Upward:
    return negative;
  case RoundingMode::Downward:
    return arith::XOrIOp::create(b, negative, one);
  default:
    return arith::ConstantIntOp::create(b, b.getI1Type(), 0);
  }
}

Value ElementCodegen::encodeFloat(const Format &format, Value x,
                                  const RoundingOptions &options, Value random,
                                  Value sticky) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  const FloatFormat &f = format.getFloat();
  const int n = int(f.exponentBits + f.mantissaBits);
  const int m = int(f.mantissaBits);
  const bool isE8M0 = f.specials == SpecialValues::E8M0;
  const int64_t eminNormal = (isE8M0 ? 0 : 1) - f.bias;
  const int64_t topField = (int64_t(1) << f.exponentBits) - 1;
  const int64_t maxMagnitude = format.getMaxFiniteCode(false);

  Decomposed d = decompose(*this, b, x, sticky);
  Value quantum = arith::SubIOp::create(
      b, arith::MaxSIOp::create(b, d.L2, i64(eminNormal)), i64(m));
  Value isNormal = cmp(P::sge, d.L2, i64(eminNormal));
  Value codeOffset =
      select(isNormal,
             arith::SubIOp::create(
                 b,
                 arith::ShLIOp::create(
                     b, arith::AddIOp::create(b, d.L2, i64(f.bias)), i64(m)),
                 i64(int64_t(1) << m)),
             i64(0));
  Value significand =
      roundToQuantum(*this, b, d, quantum, codeOffset, options, random);
  Value magnitude = arith::AddIOp::create(b, significand, codeOffset);
  Value overflow = arith::OrIOp::create(
      b,
      cmp(P::sgt, arith::AddIOp::create(b, d.L2, i64(f.bias)), i64(topField)),
      cmp(P::sgt, magnitude, i64(maxMagnitude)));

  // The special-value policy, as selects in the order encodeFloat decides.
  Value signBit = i64(f.isSigned ? int64_t(1) << n : 0);
  Value sign = select(d.negative, signBit, i64(0));
  auto signed_ = [&](int64_t magnitudeCode) {
    return arith::OrIOp::create(b, sign, i64(magnitudeCode));
  };
  Value maxCode = signed_(maxMagnitude);
  Value nanCode = i64(format.getNaNCode());
  Value infCode = format.hasInfinity()
                      ? signed_(int64_t(format.getInfCode(false)))
                      : Value();
  Value towardZero = roundsTowardZero(b, options, d.negative);
  Value overflowCode;
  if (options.saturate || f.specials == SpecialValues::Finite)
    overflowCode = maxCode;
  else
    overflowCode =
        select(towardZero, maxCode,
               f.specials == SpecialValues::IEEE ? infCode : nanCode);
  Value infResult;
  if (f.specials == SpecialValues::IEEE && !options.saturate)
    infResult = infCode;
  else if (options.saturate || f.specials == SpecialValues::Finite)
    infResult = maxCode;
  else
    infResult = nanCode;
  Value normalCode = arith::OrIOp::create(b, sign, magnitude);
  if (f.specials == SpecialValues::FNUZ)
    normalCode = select(cmp(P::eq, magnitude, i64(0)), i64(0), normalCode);
  Value zeroCode =
      (isE8M0 || f.specials == SpecialValues::FNUZ) ? i64(0) : sign;

  Value result = select(overflow, overflowCode, normalCode);
  if (isE8M0)
    result = select(cmp(P::slt, d.L2, i64(eminNormal)), i64(0), result);
  result = select(d.isZero, zeroCode, result);
  result = select(d.isInf, infResult, result);
  if (!f.isSigned) {
    Value negativeResult = (options.saturate || !format.hasNaN())
                               ? i64(0)
                               : select(d.isZero, i64(0), nanCode);
    result = select(d.negative, negativeResult, result);
  }
  return select(d.isNaN, nanCode, result);
}

Value ElementCodegen::encodeInteger(const Format &format, Value x,
                                    const RoundingOptions &options,
                                    Value random, Value sticky) {
  using P = arith::CmpIPredicate;
  const IntegerFormat &integer = format.getInteger();
  const int64_t mask = (int64_t(1) << integer.width) - 1;
  const int64_t maxValue =
      integer.isSigned ? (int64_t(1) << (integer.width - 1)) - 1 : mask;
  const int64_t minValue =
      integer.isSigned ? -(int64_t(1) << (integer.width - 1)) : 0;
  Decomposed d = decompose(*this, b, x, sticky);
  Value magnitude =
      roundToQuantum(*this, b, d, i64(0), i64(0), options, random);
  Value value = select(d.negative, arith::SubIOp::create(b, i64(0), magnitude),
                       magnitude);
  // |x| >= 2^40 and infinities clamp by sign; the rounding above is then
  // meaningless but selected away.
  Value huge = arith::OrIOp::create(
      b, d.isInf, arith::CmpIOp::create(b, P::sgt, d.L2, i64(39)));
  value = select(huge, select(d.negative, i64(minValue), i64(maxValue)), value);
  value = arith::MaxSIOp::create(
      b, arith::MinSIOp::create(b, value, i64(maxValue)), i64(minValue));
  value = select(d.isZero, i64(0), value);
  value = select(d.isNaN, i64(0), value);
  // Signed integers are stored as their values (sign-extended into the
  // container, as C reads them); decode only looks at the low bits.
  if (integer.isSigned)
    return value;
  return arith::AndIOp::create(b, value, i64(mask));
}

/// a + b's rounding error (TwoSum); exact without fast-math flags.
static Value twoSumError(ImplicitLocOpBuilder &b, Value a, Value c, Value sum) {
  Value cPart = arith::SubFOp::create(b, sum, a);
  Value aPart = arith::SubFOp::create(b, sum, cPart);
  return arith::AddFOp::create(b, arith::SubFOp::create(b, a, aPart),
                               arith::SubFOp::create(b, c, cPart));
}

Value ElementCodegen::encodeCodebook(const Format &format, Value x,
                                     const RoundingOptions &options,
                                     Value sticky) {
  using P = arith::CmpIPredicate;
  using F = arith::CmpFPredicate;
  // The distinct values in ascending order, each with its lowest code, as
  // encodeCodebook in lib/Numerics/Format.cpp sees the table.
  const std::vector<double> &table = format.getCodebook().values;
  std::vector<std::pair<double, int64_t>> entries;
  for (size_t code = 0; code < table.size(); ++code)
    entries.push_back({table[code], int64_t(code)});
  std::sort(entries.begin(), entries.end());
  SmallVector<double> distinct;
  SmallVector<int64_t> lowestCode;
  for (auto &[value, code] : entries)
    if (distinct.empty() || distinct.back() != value) {
      distinct.push_back(value);
      lowestCode.push_back(code);
    }
  int64_t count = distinct.size();
  auto valuesType = RankedTensorType::get({count}, b.getF64Type());
  auto codesType = RankedTensorType::get({count}, b.getI64Type());
  Value values = arith::ConstantOp::create(
      b, DenseElementsAttr::get(valuesType, ArrayRef<double>(distinct)));
  Value codes = arith::ConstantOp::create(
      b, DenseElementsAttr::get(codesType, ArrayRef<int64_t>(lowestCode)));
  auto at = [&](Value table, Value index) {
    Value clamped = arith::MaxSIOp::create(
        b, arith::MinSIOp::create(b, index, i64(count - 1)), i64(0));
    Value position = arith::IndexCastOp::create(b, b.getIndexType(), clamped);
    return tensor::ExtractOp::create(b, table, ValueRange{position})
        .getResult();
  };
  if (!sticky)
    sticky = i64(0);

  // i: the number of distinct values below x (a binary search).
  Value low = i64(0), high = i64(count);
  for (int64_t span = count; span > 0; span /= 2) {
    Value mid =
        arith::ShRUIOp::create(b, arith::AddIOp::create(b, low, high), i64(1));
    Value below = arith::CmpFOp::create(b, F::OLT, at(values, mid), x);
    Value active = arith::CmpIOp::create(b, P::slt, low, high);
    Value goRight = arith::AndIOp::create(b, active, below);
    Value goLeft = arith::AndIOp::create(
        b, active,
        arith::XOrIOp::create(
            b, below, arith::ConstantIntOp::create(b, b.getI1Type(), 1)));
    low = select(goRight, arith::AddIOp::create(b, mid, i64(1)), low);
    high = select(goLeft, mid, high);
  }
  Value i = low;
  Value previous = arith::SubIOp::create(b, i, i64(1));
  Value next = arith::AddIOp::create(b, i, i64(1));
  Value hiValue = at(values, i), loValue = at(values, previous);
  Value hiCode = at(codes, i), loCode = at(codes, previous);
  Value nextCode = at(codes, next);

  Value zero = f64(0);
  Value positive = arith::CmpFOp::create(b, F::OGT, x, zero);
  Value negative = arith::CmpFOp::create(b, F::OLT, x, zero);
  Value stickyUp = arith::CmpIOp::create(b, P::sgt, sticky, i64(0));
  Value stickyDown = arith::CmpIOp::create(b, P::slt, sticky, i64(0));
  Value one = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  Value none = arith::ConstantIntOp::create(b, b.getI1Type(), 0);
  bool isUp = options.mode == RoundingMode::Upward;
  bool isDown = options.mode == RoundingMode::Downward;
  bool isTowardZero = options.mode == RoundingMode::TowardZero;
  Value up = isUp ? one : isTowardZero ? negative : none;
  Value down = isDown ? one : isTowardZero ? positive : none;

  // x between two entries.
  Value between;
  if (isUp) {
    between = hiCode;
  } else if (isDown) {
    between = loCode;
  } else if (isTowardZero) {
    between = select(positive, loCode, hiCode);
  } else {
    // Compare 2x with lo + hi exactly (see compareWithMidpoint).
    Value sum = arith::AddFOp::create(b, loValue, hiValue);
    Value sumError = twoSumError(b, loValue, hiValue, sum);
    Value twice = arith::MulFOp::create(b, x, f64(2.0));
    Value difference = arith::SubFOp::create(b, twice, sum);
    Value exact = arith::CmpFOp::create(
        b, F::OEQ,
        twoSumError(b, twice, arith::NegFOp::create(b, sum), difference), zero);
    Value beyond = select(exact, sumError, zero);
    Value side =
        select(arith::CmpFOp::create(b, F::OLT, difference, beyond), i64(-1),
               select(arith::CmpFOp::create(b, F::OGT, difference, beyond),
                      i64(1), i64(0)));
    side = select(arith::CmpIOp::create(b, P::eq, side, i64(0)), sticky, side);
    Value tie;
    if (options.mode == RoundingMode::NearestAway) {
      Value loLarger =
          arith::CmpFOp::create(b, F::OGT, math::AbsFOp::create(b, loValue),
                                math::AbsFOp::create(b, hiValue));
      tie = select(loLarger, loCode, hiCode);
    } else {
      Value loEven = arith::CmpIOp::create(
          b, P::eq, arith::AndIOp::create(b, loCode, i64(1)), i64(0));
      Value hiEven = arith::CmpIOp::create(
          b, P::eq, arith::AndIOp::create(b, hiCode, i64(1)), i64(0));
      Value differ = arith::XOrIOp::create(b, loEven, hiEven);
      tie = select(differ, select(loEven, loCode, hiCode),
                   arith::MinSIOp::create(b, loCode, hiCode));
    }
    between = select(
        arith::CmpIOp::create(b, P::slt, side, i64(0)), loCode,
        select(arith::CmpIOp::create(b, P::sgt, side, i64(0)), hiCode, tie));
  }
  // x on an entry: that entry, unless the sticky direction and the mode
  // both lead away from it.
  Value onEntry = select(
      arith::AndIOp::create(b, stickyUp, up), nextCode,
      select(arith::AndIOp::create(b, stickyDown, down), loCode, hiCode));
  Value hit =
      arith::AndIOp::create(b, arith::CmpIOp::create(b, P::slt, i, i64(count)),
                            arith::CmpFOp::create(b, F::OEQ, hiValue, x));
  Value result = select(hit, onEntry, between);

  // The ends of the table, and NaN (the largest entry, like finite-only
  // minifloats).
  Value largest = f64(distinct.back()), smallest = f64(distinct.front());
  Value aboveAll = arith::OrIOp::create(
      b, arith::CmpFOp::create(b, F::UGT, x, largest),
      arith::AndIOp::create(b, arith::CmpFOp::create(b, F::OEQ, x, largest),
                            arith::CmpIOp::create(b, P::sge, sticky, i64(0))));
  Value belowAll = arith::OrIOp::create(
      b, arith::CmpFOp::create(b, F::OLT, x, smallest),
      arith::AndIOp::create(b, arith::CmpFOp::create(b, F::OEQ, x, smallest),
                            arith::CmpIOp::create(b, P::sle, sticky, i64(0))));
  result = select(belowAll, i64(lowestCode.front()), result);
  // UGT is true for NaN too.
  return select(aboveAll, i64(lowestCode.back()), result);
}

Value ElementCodegen::encode(const ValueFormat &valueFormat, Value x,
                             const RoundingOptions &options, Value random,
                             Value sticky) {
  if (valueFormat.isF64) {
    Value bits = arith::BitcastOp::create(b, b.getI64Type(), x);
    // x is the nearest double to x + sticky * epsilon (a logarithmic
    // value): a directed mode moves one ulp where the sticky says the
    // exact value lies beyond x in its direction.
    bool directed = options.mode == RoundingMode::TowardZero ||
                    options.mode == RoundingMode::Upward ||
                    options.mode == RoundingMode::Downward;
    if (!sticky || !directed)
      return bits;
    using P = arith::CmpIPredicate;
    Value negative = arith::CmpIOp::create(b, P::slt, bits, i64(0));
    Value stickyMagnitude =
        select(negative, arith::SubIOp::create(b, i64(0), sticky), sticky);
    Value down = roundsTowardZero(b, options, negative);
    Value moveDown = arith::AndIOp::create(
        b, down, arith::CmpIOp::create(b, P::slt, stickyMagnitude, i64(0)));
    Value moveUp = arith::AndIOp::create(
        b,
        arith::XOrIOp::create(
            b, down, arith::ConstantIntOp::create(b, b.getI1Type(), 1)),
        arith::CmpIOp::create(b, P::sgt, stickyMagnitude, i64(0)));
    // One ulp in magnitude is one in the bits (sticky is 0 for zero, NaN
    // and inf).
    bits = select(moveDown, arith::SubIOp::create(b, bits, i64(1)), bits);
    return select(moveUp, arith::AddIOp::create(b, bits, i64(1)), bits);
  }
  const Format &format = *valueFormat.format;
  if (!random)
    random = i64(0);
  if (format.isInteger())
    return encodeInteger(format, x, options, random, sticky);
  if (format.isCodebook())
    return encodeCodebook(format, x, options, sticky);
  if (format.isPosit())
    return encodePosit(format, x, options, random, sticky);
  if (format.isHiFloat8())
    return encodeHiFloat8(x, options, random, sticky);
  if (format.isLogarithmic())
    return encodeLogarithmic(format, x, options, sticky);
  return encodeFloat(format, x, options, random, sticky);
}

Value ElementCodegen::decode(const ValueFormat &format, Value code, Value table,
                             Value &sticky) {
  if (!format.isF64 && format.format->isLogarithmic())
    return decodeLogarithmic(*format.format, code, &sticky);
  sticky = i64(0);
  return decode(format, code, table);
}

//===----------------------------------------------------------------------===//
// Logarithmic numbers
//===----------------------------------------------------------------------===//
//
// As lib/Numerics/Logarithmic.cpp: the fraction index of a double's
// significand by a binary search over the exact thresholds, the integer
// part of the logarithm from its exponent.

Value ElementCodegen::constantTable(ArrayRef<double> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getF64Type());
  return arith::ConstantOp::create(b, DenseElementsAttr::get(type, values));
}

Value ElementCodegen::constantTable(ArrayRef<int64_t> values) {
  auto type = RankedTensorType::get({int64_t(values.size())}, b.getI64Type());
  return arith::ConstantOp::create(b, DenseElementsAttr::get(type, values));
}

Value ElementCodegen::lookup(Value table, Value index) {
  int64_t size = cast<RankedTensorType>(table.getType()).getDimSize(0);
  Value clamped = arith::MaxSIOp::create(
      b, arith::MinSIOp::create(b, index, i64(size - 1)), i64(0));
  Value position = arith::IndexCastOp::create(b, b.getIndexType(), clamped);
  return tensor::ExtractOp::create(b, table, ValueRange{position});
}

Value ElementCodegen::decodeLogarithmic(const Format &format, Value code,
                                        Value *sticky) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  const int64_t f = format.getLogarithmic().fractionBits;
  const int64_t w = format.getLogarithmic().integerBits + f;
  const numerics::lns::Tables &tables = numerics::lns::getTables(unsigned(f));
  Value field = arith::AndIOp::create(b, code, i64((int64_t(1) << w) - 1));
  Value negative =
      cmp(P::ne, arith::AndIOp::create(b, code, i64(int64_t(1) << w)), i64(0));
  Value l = arith::SubIOp::create(b, field, i64(int64_t(1) << (w - 1)));
  Value whole = arith::ShRSIOp::create(b, l, i64(f));
  Value j = arith::AndIOp::create(b, l, i64((int64_t(1) << f) - 1));
  // 2^(j/2^F) (nearest double) times 2^whole, exact.
  Value scale = arith::BitcastOp::create(
      b, b.getF64Type(),
      arith::ShLIOp::create(b, arith::AddIOp::create(b, whole, i64(1023)),
                            i64(52)));
  Value value = arith::MulFOp::create(
      b, lookup(constantTable(ArrayRef<double>(tables.values)), j), scale);
  value = select(negative, arith::NegFOp::create(b, value), value);
  Value isZero = cmp(P::eq, field, i64(0));
  value = select(isZero, select(negative, f64(NAN), f64(0)), value);
  if (sticky) {
    SmallVector<int64_t> sides(tables.sticky.begin(), tables.sticky.end());
    Value side = lookup(constantTable(ArrayRef<int64_t>(sides)), j);
    side = select(negative, arith::SubIOp::create(b, i64(0), side), side);
    *sticky = select(isZero, i64(0), side);
  }
  return value;
}

Value ElementCodegen::encodeLogarithmic(const Format &format, Value x,
                                        const RoundingOptions &options,
                                        Value sticky) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  auto i1 = [&](bool value) {
    return arith::ConstantIntOp::create(b, b.getI1Type(), value ? 1 : 0);
  };
  const int64_t f = format.getLogarithmic().fractionBits;
  const int64_t w = format.getLogarithmic().integerBits + f;
  const int64_t bias = int64_t(1) << (w - 1);
  const int64_t lmin = 1 - bias, lmax = bias - 1;
  const int64_t nanCode = int64_t(1) << w;
  const numerics::lns::Tables &tables = numerics::lns::getTables(unsigned(f));
  if (!sticky)
    sticky = i64(0);
  // An infinitesimal beside zero: the smallest double of its sign (far
  // below every logarithmic format's range, and not on its grid).
  Value isZeroInput =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, x, f64(0));
  Value moved =
      arith::AndIOp::create(b, isZeroInput, cmp(P::ne, sticky, i64(0)));
  x = select(moved,
             select(cmp(P::slt, sticky, i64(0)),
                    f64(-std::numeric_limits<double>::denorm_min()),
                    f64(std::numeric_limits<double>::denorm_min())),
             x);
  sticky = select(moved, i64(0), sticky);

  Value bits = arith::BitcastOp::create(b, b.getI64Type(), x);
  Value negative = cmp(P::slt, bits, i64(0));
  Value magnitude = arith::AndIOp::create(b, bits, i64(0x7FFFFFFFFFFFFFFFLL));
  const int64_t infBits = 0x7FF0000000000000LL;
  Value isNaN = cmp(P::ugt, magnitude, i64(infBits));
  Value isInf = cmp(P::eq, magnitude, i64(infBits));
  Value isZero = cmp(P::eq, magnitude, i64(0));
  Value exponentField = arith::ShRUIOp::create(b, magnitude, i64(52));
  Value mantissa =
      arith::AndIOp::create(b, magnitude, i64((int64_t(1) << 52) - 1));
  // Subnormal doubles lie far below every range: stand in 2^-1100 just
  // off the grid.
  Value subnormal = cmp(P::eq, exponentField, i64(0));
  Value e = select(subnormal, i64(-1100),
                   arith::SubIOp::create(b, exponentField, i64(1023)));
  Value m = select(subnormal, i64((int64_t(1) << 52) + 1),
                   arith::OrIOp::create(b, mantissa, i64(int64_t(1) << 52)));
  Value onGrid = arith::AndIOp::create(b, cmp(P::eq, mantissa, i64(0)),
                                       cmp(P::ne, exponentField, i64(0)));
  Value s = select(negative, arith::SubIOp::create(b, i64(0), sticky), sticky);

  // j: how many thresholds 2^(i/2^F), i >= 1, lie at or below M (a binary
  // search over the exact table).
  int64_t count = int64_t(1) << f;
  SmallVector<int64_t> grid(tables.grid.begin(), tables.grid.end());
  SmallVector<int64_t> midpoints(tables.midpoints.begin(),
                                 tables.midpoints.end());
  Value gridTable = constantTable(ArrayRef<int64_t>(grid));
  Value low = i64(0), high = i64(count);
  for (int64_t span = count; span > 0; span /= 2) {
    // Invariant: grid[low] <= M (grid[0] = 2^52), and M < grid[high].
    Value mid =
        arith::ShRUIOp::create(b, arith::AddIOp::create(b, low, high), i64(1));
    Value active = cmp(P::slt, arith::AddIOp::create(b, low, i64(1)), high);
    Value atMost = cmp(P::ule, lookup(gridTable, mid), m);
    low = select(arith::AndIOp::create(b, active, atMost), mid, low);
    high = select(arith::AndIOp::create(
                      b, active, arith::XOrIOp::create(b, atMost, i1(true))),
                  mid, high);
  }
  Value j = low;
  Value base = arith::ShLIOp::create(b, e, i64(f));
  Value lfloor0 = arith::AddIOp::create(b, base, j);
  Value lfloor =
      select(arith::AndIOp::create(b, onGrid, cmp(P::slt, s, i64(0))),
             arith::SubIOp::create(b, lfloor0, i64(1)), lfloor0);
  Value lceil =
      select(onGrid,
             select(cmp(P::sgt, s, i64(0)),
                    arith::AddIOp::create(b, lfloor0, i64(1)), lfloor0),
             arith::AddIOp::create(b, lfloor0, i64(1)));
  Value aboveMid =
      cmp(P::uge, m, lookup(constantTable(ArrayRef<int64_t>(midpoints)), j));
  Value lnear = select(
      onGrid, base,
      arith::AddIOp::create(
          b, lfloor0, arith::ExtUIOp::create(b, b.getI64Type(), aboveMid)));

  Value l, toZero;
  auto floorPath = [&](Value condition) {
    return arith::AndIOp::create(b, condition, cmp(P::slt, lfloor, i64(lmin)));
  };
  Value ceilValue = arith::MaxSIOp::create(b, lceil, i64(lmin));
  switch (options.mode) {
  case RoundingMode::TowardZero:
    l = lfloor;
    toZero = floorPath(i1(true));
    break;
  case RoundingMode::Upward:
  case RoundingMode::Downward: {
    Value down = roundsTowardZero(b, options, negative);
    l = select(down, lfloor, ceilValue);
    toZero = floorPath(down);
    break;
  }
  default: {
    // Below the smallest magnitude: 0 or minpos by value, at minpos / 2.
    Value shifted = arith::AddIOp::create(b, lfloor, i64(count));
    Value tie = arith::AndIOp::create(
        b, arith::AndIOp::create(b, onGrid, cmp(P::eq, s, i64(0))),
        cmp(P::eq, shifted, i64(lmin)));
    Value reaches = cmp(P::sge, shifted, i64(lmin));
    Value above =
        options.mode == RoundingMode::NearestAway
            ? reaches
            : arith::AndIOp::create(b, reaches,
                                    arith::XOrIOp::create(b, tie, i1(true)));
    Value inRange = cmp(P::sge, lnear, i64(lmin));
    l = select(inRange, lnear, i64(lmin));
    toZero =
        arith::AndIOp::create(b, arith::XOrIOp::create(b, inRange, i1(true)),
                              arith::XOrIOp::create(b, above, i1(true)));
    break;
  }
  }
  l = arith::MinSIOp::create(b, l, i64(lmax));
  Value sign = select(negative, i64(nanCode), i64(0));
  Value result = select(
      toZero, i64(0),
      arith::OrIOp::create(b, sign, arith::AddIOp::create(b, l, i64(bias))));
  result = select(isZero, i64(0), result);
  result =
      select(isInf,
             options.saturate
                 ? arith::OrIOp::create(b, sign, i64(lmax + bias)).getResult()
                 : i64(nanCode),
             result);
  return select(isNaN, i64(nanCode), result);
}

//===----------------------------------------------------------------------===//
// Posits and HiFloat8
//===----------------------------------------------------------------------===//
//
// The same definitions as lib/Numerics/Format.cpp ("Posits", "HiFloat8"),
// branch-free: every case is computed and selected, with shift amounts
// clamped into range where a selected-away case would overshoot.

Value ElementCodegen::decodePosit(const Format &format, Value code) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  const int64_t n = format.getPosit().width;
  const int64_t es = format.getPosit().exponentBits;
  const int64_t mask = (int64_t(1) << n) - 1;
  code = arith::AndIOp::create(b, code, i64(mask));
  Value negative =
      cmp(P::ne, arith::ShRUIOp::create(b, code, i64(n - 1)), i64(0));
  Value magnitude =
      select(negative,
             arith::AndIOp::create(b, arith::SubIOp::create(b, i64(0), code),
                                   i64(mask)),
             code);
  // The n-1 bits after the sign at the top of a 64-bit word: the regime
  // run's length is a count of leading zeros (of the word or of its
  // complement).
  Value word = arith::ShLIOp::create(b, magnitude, i64(65 - n));
  Value ones = cmp(P::slt, word, i64(0));
  Value complement = arith::XOrIOp::create(b, word, i64(-1));
  Value run = select(ones, math::CountLeadingZerosOp::create(b, complement),
                     math::CountLeadingZerosOp::create(b, word));
  run = arith::MinSIOp::create(b, run, i64(n - 1));
  Value regime = select(ones, arith::SubIOp::create(b, run, i64(1)),
                        arith::SubIOp::create(b, i64(0), run));
  // Past the run and its terminator (absent after a full run: the shift
  // then clears the word, and missing bits read as zeros).
  Value rest =
      arith::ShLIOp::create(b, word, arith::AddIOp::create(b, run, i64(1)));
  Value exponent = arith::ShLIOp::create(b, regime, i64(es));
  Value fraction = rest;
  if (es > 0) {
    exponent = arith::AddIOp::create(
        b, exponent, arith::ShRUIOp::create(b, rest, i64(64 - es)));
    fraction = arith::ShLIOp::create(b, rest, i64(es));
  }
  Value bits = arith::OrIOp::create(
      b,
      arith::ShLIOp::create(b, arith::AddIOp::create(b, exponent, i64(1023)),
                            i64(52)),
      arith::ShRUIOp::create(b, fraction, i64(12)));
  Value value = arith::BitcastOp::create(b, b.getF64Type(), bits);
  value = select(negative, arith::NegFOp::create(b, value), value);
  value = select(cmp(P::eq, code, i64(0)), f64(0), value);
  return select(cmp(P::eq, code, i64(int64_t(1) << (n - 1))), f64(NAN), value);
}

Value ElementCodegen::encodePosit(const Format &format, Value x,
                                  const RoundingOptions &options, Value random,
                                  Value sticky) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  const int64_t n = format.getPosit().width;
  const int64_t es = format.getPosit().exponentBits;
  const int64_t mask = (int64_t(1) << n) - 1;
  const int64_t nar = int64_t(1) << (n - 1);
  Decomposed d = decompose(*this, b, x, sticky);
  Value scale = d.L2;
  Value regime = arith::ShRSIOp::create(b, scale, i64(es));
  Value aboveMax = cmp(P::sge, regime, i64(n - 2));
  Value belowMin = cmp(P::slt, regime, i64(-(n - 2)));
  // The regimes in between; the others are selected away below.
  regime = arith::MaxSIOp::create(
      b, arith::MinSIOp::create(b, regime, i64(n - 3)), i64(-(n - 2)));
  Value exponent = arith::AndIOp::create(b, scale, i64((1 << es) - 1));
  Value nonNegative = cmp(P::sge, regime, i64(0));
  Value regimeLength =
      select(nonNegative, arith::AddIOp::create(b, regime, i64(2)),
             arith::SubIOp::create(b, i64(1), regime));
  Value regimeBits = select(
      nonNegative,
      arith::ShLIOp::create(
          b,
          arith::SubIOp::create(
              b,
              arith::ShLIOp::create(
                  b, i64(1),
                  arith::AddIOp::create(
                      b, arith::MaxSIOp::create(b, regime, i64(0)), i64(1))),
              i64(1)),
          i64(1)),
      i64(1));
  Value available = arith::SubIOp::create(b, i64(n - 1), regimeLength);
  // The exponent, then |x|'s fraction below its leading one (f bits), as
  // one fixed-point number, rounded to `available` bits.
  Value f = arith::SubIOp::create(b, d.L2, d.k2);
  Value fraction =
      arith::SubIOp::create(b, d.m2, arith::ShLIOp::create(b, i64(1), f));
  Value tail =
      arith::OrIOp::create(b, arith::ShLIOp::create(b, exponent, f), fraction);
  Value shift =
      arith::SubIOp::create(b, arith::AddIOp::create(b, f, i64(es)), available);
  Value kept = arith::ShRUIOp::create(b, tail, shift);
  Value rem = arith::AndIOp::create(
      b, tail,
      arith::SubIOp::create(b, arith::ShLIOp::create(b, i64(1), shift),
                            i64(1)));
  Value half =
      arith::ShLIOp::create(b, i64(1), arith::SubIOp::create(b, shift, i64(1)));
  Value code = arith::OrIOp::create(
      b, arith::ShLIOp::create(b, regimeBits, available), kept);
  Value lowerOdd = cmp(P::ne, arith::AndIOp::create(b, code, i64(1)), i64(0));
  Value away = roundsAway(*this, b, rem, shift, half, lowerOdd, d.negative,
                          options, random);
  Value magnitude = arith::AddIOp::create(
      b, code, arith::ExtUIOp::create(b, b.getI64Type(), away));
  // Posits neither overflow nor underflow.
  magnitude = select(aboveMax, i64(nar - 1), magnitude);
  magnitude = select(belowMin, i64(1), magnitude);
  auto withSign = [&](Value magnitude) {
    return select(
        d.negative,
        arith::AndIOp::create(b, arith::SubIOp::create(b, i64(0), magnitude),
                              i64(mask)),
        magnitude);
  };
  Value result = withSign(magnitude);
  result = select(d.isZero, i64(0), result);
  result = select(d.isInf, options.saturate ? withSign(i64(nar - 1)) : i64(nar),
                  result);
  return select(d.isNaN, i64(nar), result);
}

Value ElementCodegen::hiFloat8PowerCode(Value e) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Value negative = cmp(P::slt, e, i64(0));
  Value magnitude = select(negative, arith::SubIOp::create(b, i64(0), e), e);
  // The exponent field's width, its dot prefix and the mantissa width.
  auto byWidth = [&](int64_t w1, int64_t w2, int64_t w3, int64_t w4) {
    return select(
        cmp(P::sle, magnitude, i64(1)), i64(w1),
        select(cmp(P::sle, magnitude, i64(3)), i64(w2),
               select(cmp(P::sle, magnitude, i64(7)), i64(w3), i64(w4))));
  };
  Value width = byWidth(1, 2, 3, 4);
  Value dot = byWidth(0x10, 0x20, 0x40, 0x60);
  Value m = byWidth(3, 3, 2, 1);
  Value top =
      arith::ShLIOp::create(b, i64(1), arith::SubIOp::create(b, width, i64(1)));
  Value field = arith::OrIOp::create(b, select(negative, top, i64(0)),
                                     arith::SubIOp::create(b, magnitude, top));
  Value normal =
      arith::OrIOp::create(b, dot, arith::ShLIOp::create(b, field, m));
  Value result = select(cmp(P::eq, e, i64(0)), i64(0x08), normal);
  return select(
      cmp(P::slt, e, i64(numerics::hif8::MinNormalExponent)),
      arith::SubIOp::create(b, e, i64(numerics::hif8::MinExponent - 1)),
      result);
}

Value ElementCodegen::decodeHiFloat8(Value code) {
  using P = arith::CmpIPredicate;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Value magnitude = arith::AndIOp::create(b, code, i64(0x7F));
  Value negative =
      cmp(P::ne, arith::AndIOp::create(b, code, i64(0x80)), i64(0));
  auto byDot = [&](int64_t w4, int64_t w3, int64_t w2, int64_t w1, int64_t w0) {
    return select(cmp(P::uge, magnitude, i64(0x60)), i64(w4),
                  select(cmp(P::uge, magnitude, i64(0x40)), i64(w3),
                         select(cmp(P::uge, magnitude, i64(0x20)), i64(w2),
                                select(cmp(P::uge, magnitude, i64(0x10)),
                                       i64(w1), i64(w0)))));
  };
  Value width = byDot(4, 3, 2, 1, 1); // width 0 is selected away below
  Value m = byDot(1, 2, 3, 3, 3);
  Value field = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, magnitude, m),
      arith::SubIOp::create(b, arith::ShLIOp::create(b, i64(1), width),
                            i64(1)));
  Value top =
      arith::ShLIOp::create(b, i64(1), arith::SubIOp::create(b, width, i64(1)));
  Value exponentNegative =
      cmp(P::ne, arith::AndIOp::create(b, field, top), i64(0));
  Value exponentMagnitude = arith::OrIOp::create(
      b, top,
      arith::AndIOp::create(b, field, arith::SubIOp::create(b, top, i64(1))));
  Value e = select(exponentNegative,
                   arith::SubIOp::create(b, i64(0), exponentMagnitude),
                   exponentMagnitude);
  e = select(cmp(P::ult, magnitude, i64(0x10)), i64(0), e);
  Value fraction = arith::AndIOp::create(
      b, magnitude,
      arith::SubIOp::create(b, arith::ShLIOp::create(b, i64(1), m), i64(1)));
  Value normalBits = arith::OrIOp::create(
      b,
      arith::ShLIOp::create(b, arith::AddIOp::create(b, e, i64(1023)), i64(52)),
      arith::ShLIOp::create(b, fraction, arith::SubIOp::create(b, i64(52), m)));
  // The denormal mode: 0000 then M is 2^(M - 23).
  Value denormalBits = arith::ShLIOp::create(
      b,
      arith::AddIOp::create(b, magnitude,
                            i64(1023 + numerics::hif8::MinExponent - 1)),
      i64(52));
  Value bits =
      select(cmp(P::ult, magnitude, i64(0x08)), denormalBits, normalBits);
  Value value = arith::BitcastOp::create(b, b.getF64Type(), bits);
  value = select(cmp(P::eq, magnitude, i64(0)), f64(0), value);
  value = select(cmp(P::eq, magnitude, i64(numerics::hif8::InfMagnitude)),
                 f64(INFINITY), value);
  value = select(negative, arith::NegFOp::create(b, value), value);
  return select(cmp(P::eq, code, i64(numerics::hif8::NaNCode)), f64(NAN),
                value);
}

Value ElementCodegen::encodeHiFloat8(Value x, const RoundingOptions &options,
                                     Value random, Value sticky) {
  using P = arith::CmpIPredicate;
  using namespace numerics::hif8;
  auto cmp = [&](P p, Value l, Value r) {
    return arith::CmpIOp::create(b, p, l, r);
  };
  Decomposed d = decompose(*this, b, x, sticky);
  // The binade, clamped to where it has codes; below -22 the grid is {0,
  // 2^-22}, above 15 everything overflows.
  Value e = arith::MaxSIOp::create(
      b, arith::MinSIOp::create(b, d.L2, i64(MaxExponent)),
      i64(MinExponent - 1));
  Value tiny = cmp(P::slt, e, i64(MinExponent));
  Value denormal =
      arith::AndIOp::create(b, cmp(P::slt, e, i64(MinNormalExponent)),
                            cmp(P::sge, e, i64(MinExponent)));
  Value magnitudeE =
      select(cmp(P::slt, e, i64(0)), arith::SubIOp::create(b, i64(0), e), e);
  Value m =
      select(cmp(P::slt, e, i64(MinNormalExponent)), i64(0),
             select(cmp(P::sle, magnitudeE, i64(3)), i64(3),
                    select(cmp(P::sle, magnitudeE, i64(7)), i64(2), i64(1))));
  Value quantum =
      select(tiny, i64(MinExponent), arith::SubIOp::create(b, e, m));
  Value powerE =
      hiFloat8PowerCode(arith::MaxSIOp::create(b, e, i64(MinExponent)));
  Value offset =
      select(denormal, arith::SubIOp::create(b, powerE, i64(1)), i64(0));
  Value significand =
      roundToQuantum(*this, b, d, quantum, offset, options, random);
  Value leading = arith::ShLIOp::create(b, i64(1), m);
  Value carry =
      cmp(P::eq, significand, arith::ShLIOp::create(b, leading, i64(1)));
  Value powerNext = hiFloat8PowerCode(arith::MinSIOp::create(
      b, arith::AddIOp::create(b, e, i64(1)), i64(MaxExponent)));
  Value magnitude =
      select(carry, powerNext,
             arith::AddIOp::create(
                 b, powerE, arith::SubIOp::create(b, significand, leading)));
  magnitude = select(tiny, significand, magnitude);
  // 2^15 is the last finite value: 1.5 * 2^15 is the infinity code's place.
  Value overflow = arith::OrIOp::create(
      b, cmp(P::sgt, d.L2, i64(MaxExponent)),
      arith::AndIOp::create(b, cmp(P::eq, e, i64(MaxExponent)),
                            cmp(P::sge, significand, i64(3))));
  Value sign = select(d.negative, i64(SignBit), i64(0));
  Value towardZero = roundsTowardZero(b, options, d.negative);
  Value overflowMagnitude =
      options.saturate
          ? i64(MaxMagnitude)
          : select(towardZero, i64(MaxMagnitude), i64(InfMagnitude));
  magnitude = select(overflow, overflowMagnitude, magnitude);
  // One zero: a negative value that rounds to zero is 0x00.
  Value result = select(cmp(P::eq, magnitude, i64(0)), i64(0),
                        arith::OrIOp::create(b, sign, magnitude));
  result = select(d.isZero, i64(0), result);
  result =
      select(d.isInf,
             arith::OrIOp::create(
                 b, sign, i64(options.saturate ? MaxMagnitude : InfMagnitude)),
             result);
  return select(d.isNaN, i64(NaNCode), result);
}

Value ElementCodegen::encodeQuotient(const ValueFormat &format, Value numerator,
                                     Value denominator,
                                     const RoundingOptions &options,
                                     Value random) {
  Value quotient = arith::DivFOp::create(b, numerator, denominator);
  Value negated = arith::NegFOp::create(b, quotient);
  Value remainder = math::FmaOp::create(b, negated, denominator, numerator);
  Value zero = f64(0);
  Value above =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OGT, remainder, zero);
  Value below =
      arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, remainder, zero);
  Value sticky = select(above, i64(1), select(below, i64(-1), i64(0)));
  // As the core: a zero or non-finite double quotient is taken as it is.
  Value absQuotient = math::AbsFOp::create(b, quotient);
  Value ordinary = arith::AndIOp::create(
      b,
      arith::CmpFOp::create(b, arith::CmpFPredicate::OLT, absQuotient,
                            f64(INFINITY)),
      arith::CmpFOp::create(b, arith::CmpFPredicate::ONE, quotient, zero));
  sticky = select(ordinary, sticky, i64(0));
  return encode(format, quotient, options, random, sticky);
}
