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
  Value remNonzero = cmp(P::ne, rem, g.i64(0));
  Value increment;
  switch (options.mode) {
  case RoundingMode::TowardZero:
    increment = arith::ConstantIntOp::create(b, b.getI1Type(), 0);
    break;
  case RoundingMode::Upward:
    increment = arith::AndIOp::create(
        b, remNonzero,
        arith::XOrIOp::create(
            b, d.negative, arith::ConstantIntOp::create(b, b.getI1Type(), 1)));
    break;
  case RoundingMode::Downward:
    increment = arith::AndIOp::create(b, remNonzero, d.negative);
    break;
  case RoundingMode::NearestAway:
    increment = cmp(P::uge, rem, half);
    break;
  case RoundingMode::NearestEven: {
    Value lowerCode = arith::AddIOp::create(b, integerPart, codeOffset);
    Value lowerOdd =
        cmp(P::ne, arith::AndIOp::create(b, lowerCode, one), g.i64(0));
    increment = arith::OrIOp::create(
        b, cmp(P::ugt, rem, half),
        arith::AndIOp::create(b, cmp(P::eq, rem, half), lowerOdd));
    break;
  }
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
    increment =
        cmp(P::uge, arith::AddIOp::create(b, top, r), g.i64(int64_t(1) << k));
    break;
  }
  }
  return arith::AddIOp::create(
      b, integerPart, arith::ExtUIOp::create(b, b.getI64Type(), increment));
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
  Value one = arith::ConstantIntOp::create(b, b.getI1Type(), 1);
  Value towardZero;
  switch (options.mode) {
  case RoundingMode::TowardZero:
    towardZero = one;
    break;
  case RoundingMode::Upward:
    towardZero = d.negative;
    break;
  case RoundingMode::Downward:
    towardZero = arith::XOrIOp::create(b, d.negative, one);
    break;
  default:
    towardZero = arith::ConstantIntOp::create(b, b.getI1Type(), 0);
    break;
  }
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
  if (valueFormat.isF64)
    return arith::BitcastOp::create(b, b.getI64Type(), x);
  const Format &format = *valueFormat.format;
  if (!random)
    random = i64(0);
  if (format.isInteger())
    return encodeInteger(format, x, options, random, sticky);
  if (format.isCodebook())
    return encodeCodebook(format, x, options, sticky);
  return encodeFloat(format, x, options, random, sticky);
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
