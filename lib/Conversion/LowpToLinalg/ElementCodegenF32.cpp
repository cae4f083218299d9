//===- ElementCodegenF32.cpp - f32 element code in 32-bit lanes -----------===//
//
// The f32 half of ElementCodegen: rounding an f32 into a format, and
// decoding a format into f32, in i32 and f32 arithmetic on scalars or
// vectors alike. The algorithm is lib/Numerics/Format.cpp's encodeFloat and
// encodeInteger for the one input type whose bits fit a 32-bit lane; how it
// maps onto the f32 bit pattern is derived in docs/Lowering.md ("Element
// code in f32 lanes"). Everything is branch-free and call-free, so a loop
// of it vectorizes to 16 lanes of a 512-bit register.
//
//===----------------------------------------------------------------------===//

#include "ElementCodegen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/TypeUtilities.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstring>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

namespace {

/// i32, f32 and i1 arithmetic on values of one shape (a scalar, a vector or
/// a tensor): constants are splat to that shape, and every op folds where
/// its operands allow, so that the specializations below leave no dead
/// code.
class Lanes {
public:
  Lanes(ImplicitLocOpBuilder &b, Type like) : b(b) {
    auto shaped = dyn_cast<ShapedType>(like);
    auto with = [&](Type element) -> Type {
      return shaped ? Type(shaped.clone(element)) : element;
    };
    i32Type = with(b.getI32Type());
    f32Type = with(b.getF32Type());
  }

  Type i32Type, f32Type;

  /// A splat i32 constant (the low 32 bits of `value`), one op per value.
  Value i32(int64_t value) {
    auto bits = uint32_t(uint64_t(value));
    // Keyed by the 32 bits widened, clear of DenseMap's reserved keys.
    Value &cached = i32Constants[uint64_t(bits)];
    if (!cached)
      cached = constant(i32Type, b.getI32IntegerAttr(int32_t(bits)));
    return cached;
  }
  Value f32(float value) { return constant(f32Type, b.getF32FloatAttr(value)); }
  Value nan() {
    return constant(f32Type,
                    FloatAttr::get(b.getF32Type(),
                                   APFloat::getQNaN(APFloat::IEEEsingle())));
  }
  Value i1(bool value) {
    auto shaped = dyn_cast<ShapedType>(i32Type);
    Type type = shaped ? Type(shaped.clone(b.getI1Type())) : b.getI1Type();
    return constant(type, IntegerAttr::get(b.getI1Type(), value ? 1 : 0));
  }

  Value add(Value x, Value y) { return b.createOrFold<arith::AddIOp>(x, y); }
  Value sub(Value x, Value y) { return b.createOrFold<arith::SubIOp>(x, y); }
  Value andi(Value x, Value y) { return b.createOrFold<arith::AndIOp>(x, y); }
  Value ori(Value x, Value y) { return b.createOrFold<arith::OrIOp>(x, y); }
  Value xori(Value x, Value y) { return b.createOrFold<arith::XOrIOp>(x, y); }
  Value shl(Value x, Value y) { return b.createOrFold<arith::ShLIOp>(x, y); }
  Value shrui(Value x, Value y) { return b.createOrFold<arith::ShRUIOp>(x, y); }
  Value shrsi(Value x, Value y) { return b.createOrFold<arith::ShRSIOp>(x, y); }
  Value maxsi(Value x, Value y) { return b.createOrFold<arith::MaxSIOp>(x, y); }
  Value maxui(Value x, Value y) { return b.createOrFold<arith::MaxUIOp>(x, y); }
  Value minui(Value x, Value y) { return b.createOrFold<arith::MinUIOp>(x, y); }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return b.createOrFold<arith::CmpIOp>(predicate, x, y);
  }
  Value cmpf(arith::CmpFPredicate predicate, Value x, Value y) {
    return b.createOrFold<arith::CmpFOp>(predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) {
    return b.createOrFold<arith::SelectOp>(condition, x, y);
  }
  Value toF32(Value bits) {
    return b.createOrFold<arith::BitcastOp>(f32Type, bits);
  }
  Value toI32(Value value) {
    return b.createOrFold<arith::BitcastOp>(i32Type, value);
  }
  Value zext(Value condition) {
    return b.createOrFold<arith::ExtUIOp>(i32Type, condition);
  }

  ImplicitLocOpBuilder &b;

private:
  Value constant(Type type, TypedAttr scalar) {
    if (auto shaped = dyn_cast<ShapedType>(type))
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(shaped, ArrayRef<Attribute>{scalar}));
    return arith::ConstantOp::create(b, scalar);
  }

  llvm::DenseMap<uint64_t, Value> i32Constants;
};

/// Whether 2^e is an f32 (normal or subnormal).
bool isF32PowerOfTwo(int64_t e) { return e >= -149 && e <= 127; }

bool isDeterministic(RoundingMode mode) {
  return mode != RoundingMode::Stochastic;
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

/// The compile-time shape of the minifloat encoding (see docs/Lowering.md).
/// With a = |x|'s bits and A = a normalized (a subnormal f32 rewritten as
/// ((L + 127) << 23) + its fraction below the leading one, L the binade),
/// the target field of x is tf = (A >> 23) - 127 + bias and, in the
/// format's normal range (tf >= tfMin), A + C is (tf << 23) plus the f32
/// fraction: the code in its top bits, the discarded bits in the low s0.
struct FloatPlan {
  explicit FloatPlan(const FloatFormat &f)
      : m(int(f.mantissaBits)), n(int(f.exponentBits + f.mantissaBits)),
        isE8M0(f.specials == SpecialValues::E8M0), tfMin(isE8M0 ? 0 : 1),
        s0(23 - m), bias(f.bias) {
    eminNormal = tfMin - bias;
    C = (int64_t(bias) - 127) * (int64_t(1) << 23);
    T = (tfMin + 127 - bias) * (int64_t(1) << 23);
    normalize = eminNormal < -126;
  }

  int m, n;
  bool isE8M0;
  int64_t tfMin;
  /// The discarded bits of A + C in the normal range.
  int s0;
  int bias;
  int64_t eminNormal;
  /// The bias change (bias - 127) in the f32 exponent field.
  int64_t C;
  /// A >= T (signed) iff x lies in the normal range.
  int64_t T;
  /// Whether some subnormal f32 lies in the normal range, so that f32
  /// subnormals must be normalized (A != a).
  bool normalize;
};

bool planHolds(const Format &format) {
  if (!format.isFloat())
    return false;
  const FloatFormat &f = format.getFloat();
  FloatPlan plan(f);
  // s0 >= 2 keeps the sticky bit of a denormalized significand below the
  // rounding bit.
  if (plan.s0 < 2)
    return false;
  // inf and NaN lie in the normal range, and no f32 (plus a rounding
  // increment) wraps past 2^32 in A + C.
  if (plan.T > int64_t(0x7F800000))
    return false;
  if (int64_t(0x7FFFFFFF) + plan.C + (int64_t(1) << plan.s0) >=
      (int64_t(1) << 32))
    return false;
  return f.bias >= -126 && f.bias <= 254;
}

/// The f32 x rounded into a minifloat: the rounded magnitude code from
/// A + C (normal range) or from the significand shifted to the subnormal
/// quantum, then the special-value policy as selects in the order
/// Format::encodeFloat decides.
Value encodeFloatF32(Lanes &l, const Format &format, Value x,
                     const RoundingOptions &options) {
  using P = arith::CmpIPredicate;
  const FloatFormat &f = format.getFloat();
  const FloatPlan plan(f);
  const RoundingMode mode = options.mode;
  const int s0 = plan.s0;
  const int64_t maxMagnitude = format.getMaxFiniteCode(false);

  Value u = l.toI32(x);
  Value a = l.andi(u, l.i32(0x7FFFFFFF));
  Value negative = l.cmp(P::slt, u, l.i32(0));
  Value normalized = a;
  if (plan.normalize) {
    // A subnormal f32 (a < 2^23, 9 or more leading zeros) shifted up until
    // its leading one is bit 23, its exponent field lowered as far.
    Value zeros = math::CountLeadingZerosOp::create(l.b, a);
    Value shift = l.sub(l.maxui(zeros, l.i32(8)), l.i32(8));
    normalized = l.sub(l.shl(a, shift), l.shl(shift, l.i32(23)));
  }
  Value isNormal = l.cmp(P::sge, normalized, l.i32(plan.T));

  // Rounding at bit s0: the code is (Y + addend) >> s0.
  Value halfMinusOne = l.i32((int64_t(1) << (s0 - 1)) - 1);
  Value mask = l.i32((int64_t(1) << s0) - 1);
  auto roundAtS0 = [&](Value y) {
    Value addend;
    switch (mode) {
    case RoundingMode::NearestEven:
      // Ties go to the even code: add half - 1 plus the kept lowest bit.
      addend = l.add(halfMinusOne, l.andi(l.shrui(y, l.i32(s0)), l.i32(1)));
      break;
    case RoundingMode::NearestAway:
      addend = l.i32(int64_t(1) << (s0 - 1));
      break;
    case RoundingMode::TowardZero:
    case RoundingMode::Stochastic:
      addend = l.i32(0);
      break;
    case RoundingMode::Upward:
      addend = l.select(negative, l.i32(0), mask);
      break;
    case RoundingMode::Downward:
      addend = l.select(negative, mask, l.i32(0));
      break;
    }
    return l.shrui(l.add(y, addend), l.i32(s0));
  };

  Value inNormalRange = l.add(normalized, l.i32(plan.C));
  Value magnitude;
  const int64_t sumExponent = plan.eminNormal - plan.m + 23;
  if (plan.isE8M0) {
    // No subnormals: what lies below the range is selected away below.
    magnitude = roundAtS0(inNormalRange);
  } else if (mode == RoundingMode::NearestEven && sumExponent >= -126 &&
             sumExponent <= 127) {
    // Below the normal range the quantum is fixed at 2^(eminNormal - M):
    // |x| + B with ulp(B) that quantum rounds |x| to nearest even exactly,
    // and leaves the count of quanta in the sum's low bits.
    float sumBase = std::ldexp(1.0f, int(sumExponent));
    Value sum = arith::AddFOp::create(l.b, l.toF32(a), l.f32(sumBase));
    Value subnormal =
        l.sub(l.toI32(sum), l.i32(llvm::bit_cast<uint32_t>(sumBase)));
    magnitude = l.select(isNormal, roundAtS0(inNormalRange), subnormal);
  } else {
    // Below the normal range: the significand (hidden bit included)
    // shifted to the subnormal quantum, the bits shifted out kept as a
    // sticky bit in bit 0, and then rounded at s0 like the normal range.
    Value field = l.shrsi(normalized, l.i32(23));
    Value exponent, significand;
    if (plan.normalize) {
      exponent = field;
      significand = l.ori(l.andi(normalized, l.i32(0x7FFFFF)), l.i32(0x800000));
    } else {
      // A subnormal f32 is its fraction times 2^(1 - 150).
      exponent = l.maxsi(field, l.i32(1));
      significand =
          l.sub(normalized, l.shl(l.sub(exponent, l.i32(1)), l.i32(23)));
    }
    // tfMin - tf, at least 1 here; negative (huge unsigned) in the normal
    // range, where the result is selected away.
    Value distance = l.minui(
        l.sub(l.i32(plan.tfMin + 127 - plan.bias), exponent), l.i32(31));
    Value kept = l.shrui(significand, distance);
    Value sticky = l.cmp(P::ne, l.shl(kept, distance), significand);
    Value denormalized = l.ori(kept, l.zext(sticky));
    magnitude = roundAtS0(l.select(isNormal, inNormalRange, denormalized));
  }

  // The special-value policy (docs/Numerics.md), as Format::encodeFloat.
  Value signBit =
      f.isSigned ? l.shl(l.shrui(u, l.i32(31)), l.i32(plan.n)) : l.i32(0);
  Value maxCode = l.ori(signBit, l.i32(maxMagnitude));
  Value nanCode = l.i32(format.getNaNCode());
  bool ieee = f.specials == SpecialValues::IEEE;
  bool finiteOnly = f.specials == SpecialValues::Finite;
  Value infCode = format.hasInfinity()
                      ? l.ori(signBit, l.i32(format.getInfCode(false)))
                      : Value();
  Value towardZero;
  switch (mode) {
  case RoundingMode::TowardZero:
    towardZero = l.i1(true);
    break;
  case RoundingMode::Upward:
    towardZero = negative;
    break;
  case RoundingMode::Downward:
    towardZero = l.xori(negative, l.i1(true));
    break;
  default:
    towardZero = l.i1(false);
    break;
  }
  Value overflowCode =
      (options.saturate || finiteOnly)
          ? maxCode
          : l.select(towardZero, maxCode, ieee ? infCode : nanCode);
  Value infResult = (ieee && !options.saturate)        ? infCode
                    : (options.saturate || finiteOnly) ? maxCode
                                                       : nanCode;
  Value normalCode = l.ori(signBit, magnitude);
  if (f.specials == SpecialValues::FNUZ)
    normalCode =
        l.select(l.cmp(P::eq, magnitude, l.i32(0)), l.i32(0), normalCode);
  Value overflow = l.cmp(P::ugt, magnitude, l.i32(maxMagnitude));
  Value isNaN = l.cmp(P::ugt, a, l.i32(0x7F800000));
  Value isInf = l.cmp(P::eq, a, l.i32(0x7F800000));

  // inf and NaN (a >= 0x7F800000) give a magnitude above max when the
  // format's range ends below 2^128 + its increments: then only the
  // overflowing lanes need to tell them apart.
  bool bigInputsOverflow =
      ((int64_t(0x7F800000) + plan.C) >> s0) > maxMagnitude;
  bool nanDone = false;
  Value result;
  if (bigInputsOverflow) {
    Value big = l.select(isInf, infResult, overflowCode);
    if (f.isSigned) {
      big = l.select(isNaN, nanCode, big);
      nanDone = true;
    }
    result = l.select(overflow, big, normalCode);
  } else {
    result = l.select(overflow, overflowCode, normalCode);
    result = l.select(isInf, infResult, result);
  }
  // Zero: its magnitude is 0 wherever the subnormal path sees it as it is
  // (E8M0's zero is among the tiny values below).
  bool zeroExact = !plan.normalize && plan.T > 0;
  if (!zeroExact && !plan.isE8M0) {
    Value zeroCode =
        (plan.isE8M0 || f.specials == SpecialValues::FNUZ) ? l.i32(0) : signBit;
    result = l.select(l.cmp(P::eq, a, l.i32(0)), zeroCode, result);
  }
  if (plan.isE8M0) {
    // Below 2^-bias (zero included): the least value, code 0.
    int64_t tinyBits = f.bias <= 126   ? (int64_t(127 - f.bias) << 23)
                       : f.bias <= 149 ? int64_t(1) << (149 - f.bias)
                                       : 1;
    result = l.select(l.cmp(P::ult, a, l.i32(tinyBits)), l.i32(0), result);
  }
  if (!f.isSigned) {
    Value negativeResult =
        (options.saturate || !format.hasNaN())
            ? l.i32(0)
            : l.select(l.cmp(P::eq, a, l.i32(0)), l.i32(0), nanCode);
    result = l.select(negative, negativeResult, result);
  }
  if (!nanDone)
    result = l.select(isNaN, nanCode, result);
  return result;
}

/// The f32 x rounded to an integer by the mode (exact in f32), then clamped
/// to the format's range; NaN becomes 0. Signed results are the value
/// (sign-extended), as encodeInteger gives them.
Value encodeIntegerF32(Lanes &l, const Format &format, Value x,
                       const RoundingOptions &options) {
  using F = arith::CmpFPredicate;
  const IntegerFormat &integer = format.getInteger();
  ImplicitLocOpBuilder &b = l.b;
  Value rounded;
  switch (options.mode) {
  case RoundingMode::NearestEven:
    rounded = math::RoundEvenOp::create(b, x);
    break;
  case RoundingMode::NearestAway:
    rounded = math::RoundOp::create(b, x);
    break;
  case RoundingMode::TowardZero:
  case RoundingMode::Stochastic:
    rounded = math::TruncOp::create(b, x);
    break;
  case RoundingMode::Upward:
    rounded = math::CeilOp::create(b, x);
    break;
  case RoundingMode::Downward:
    rounded = math::FloorOp::create(b, x);
    break;
  }
  unsigned width = integer.width;
  // The range is [low, high): powers of two, exact in f32.
  float low = integer.isSigned ? -std::ldexp(1.0f, int(width) - 1) : 0.0f;
  float high = std::ldexp(1.0f, int(width) - (integer.isSigned ? 1 : 0));
  int64_t minValue = integer.isSigned ? -(int64_t(1) << (width - 1)) : 0;
  int64_t maxValue = int64_t(high) - 1;
  // Ordered comparisons: NaN is in neither range nor beyond it.
  Value inRange =
      l.b.createOrFold<arith::AndIOp>(l.cmpf(F::OGE, rounded, l.f32(low)),
                                      l.cmpf(F::OLT, rounded, l.f32(high)));
  Value safe = l.select(inRange, rounded, l.f32(0));
  Value value = (!integer.isSigned && width == 32)
                    ? arith::FPToUIOp::create(b, l.i32Type, safe).getResult()
                    : arith::FPToSIOp::create(b, l.i32Type, safe).getResult();
  value =
      l.select(l.cmpf(F::OGE, rounded, l.f32(high)), l.i32(maxValue), value);
  return l.select(l.cmpf(F::OLT, rounded, l.f32(low)), l.i32(minValue), value);
}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

/// What decodeMinifloatF32 computes for `code`, step by step as the emitted
/// code does (f32 arithmetic in the default environment); checked against
/// the numerics core before that code is used.
float minifloatAsEmitted(const FloatFormat &f, uint32_t code) {
  const unsigned n = f.exponentBits + f.mantissaBits;
  const int s0 = 23 - int(f.mantissaBits);
  const uint32_t allOnes = (uint32_t(1) << n) - 1;
  uint32_t magnitude = code & allOnes;
  float value =
      llvm::bit_cast<float>(magnitude << s0) * std::ldexp(1.0f, 127 - f.bias);
  if (f.specials == SpecialValues::E8M0 &&
      magnitude < (uint32_t(1) << f.mantissaBits))
    value =
        f.mantissaBits == 0
            ? std::ldexp(1.0f, -f.bias)
            : llvm::bit_cast<float>((magnitude << s0) | (uint32_t(1) << 23)) *
                  std::ldexp(1.0f, 126 - f.bias);
  uint32_t infMagnitude = ((uint32_t(1) << f.exponentBits) - 1)
                          << f.mantissaBits;
  if (f.specials == SpecialValues::IEEE && magnitude == infMagnitude)
    value = INFINITY;
  if (f.isSigned && (code >> n) & 1)
    value =
        llvm::bit_cast<float>(llvm::bit_cast<uint32_t>(value) | 0x80000000u);
  bool isNaN = false;
  switch (f.specials) {
  case SpecialValues::IEEE:
    isNaN = magnitude > infMagnitude;
    break;
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    isNaN = magnitude == allOnes;
    break;
  case SpecialValues::FNUZ:
    isNaN = (code & ((allOnes << 1) | 1)) == (uint32_t(1) << n);
    break;
  case SpecialValues::Finite:
    break;
  }
  return isNaN ? llvm::bit_cast<float>(0x7FC00000u) : value;
}

bool sameBits(float emitted, double exact) {
  if (std::isnan(exact))
    return llvm::bit_cast<uint32_t>(emitted) == 0x7FC00000u;
  return double(emitted) == exact &&
         std::signbit(emitted) == std::signbit(exact);
}

bool minifloatDecodesToF32(const Format &format) {
  const FloatFormat &f = format.getFloat();
  // The scale factors are f32s, and no finite code's fields make an f32
  // inf or NaN before scaling.
  if (!isF32PowerOfTwo(127 - f.bias) ||
      (f.specials == SpecialValues::E8M0 && f.mantissaBits > 0 &&
       !isF32PowerOfTwo(126 - f.bias)) ||
      (f.specials == SpecialValues::E8M0 && f.mantissaBits == 0 &&
       !isF32PowerOfTwo(-f.bias)))
    return false;
  bool topFieldFinite =
      f.specials != SpecialValues::IEEE &&
      !(f.specials == SpecialValues::E8M0 && f.mantissaBits == 0);
  if (f.exponentBits == 8 && topFieldFinite)
    return false;
  // Every value is an f32: below 2^128, in multiples of 2^-149 at least.
  int quantum = (f.specials == SpecialValues::E8M0 ? 0 : 1) - f.bias -
                int(f.mantissaBits);
  if (quantum < -149 || !(format.getMaxFinite() < std::ldexp(1.0, 128)))
    return false;
  // Then every product is exact. Check it code by code where that is cheap.
  if (format.getBitWidth() <= 20)
    for (uint32_t code = 0; code < format.getNumCodes(); ++code)
      if (!sameBits(minifloatAsEmitted(f, code), format.decode(code)))
        return false;
  return true;
}

/// The code's exponent and mantissa fields moved into an f32 (whose field
/// then reads as if the bias were 127) times 2^(127 - bias), then the
/// format's special codes. minifloatAsEmitted mirrors this.
Value decodeMinifloatF32(Lanes &l, const FloatFormat &f, Value code) {
  using P = arith::CmpIPredicate;
  const unsigned n = f.exponentBits + f.mantissaBits;
  const int s0 = 23 - int(f.mantissaBits);
  const int64_t allOnes = (int64_t(1) << n) - 1;
  ImplicitLocOpBuilder &b = l.b;
  Value magnitude = l.andi(code, l.i32(allOnes));
  Value shifted = l.shl(magnitude, l.i32(s0));
  Value value = l.toF32(shifted);
  if (f.bias != 127)
    value =
        arith::MulFOp::create(b, value, l.f32(std::ldexp(1.0f, 127 - f.bias)));
  if (f.specials == SpecialValues::E8M0) {
    // Field 0 is 2^-bias times the fraction's significand, not a subnormal.
    Value field0 =
        l.cmp(P::ult, magnitude, l.i32(int64_t(1) << f.mantissaBits));
    Value least = f.mantissaBits == 0
                      ? l.f32(std::ldexp(1.0f, -f.bias))
                      : arith::MulFOp::create(
                            b, l.toF32(l.ori(shifted, l.i32(int64_t(1) << 23))),
                            l.f32(std::ldexp(1.0f, 126 - f.bias)))
                            .getResult();
    value = l.select(field0, least, value);
  }
  int64_t infMagnitude = ((int64_t(1) << f.exponentBits) - 1) << f.mantissaBits;
  if (f.specials == SpecialValues::IEEE)
    value = l.select(l.cmp(P::eq, magnitude, l.i32(infMagnitude)),
                     l.f32(INFINITY), value);
  if (f.isSigned) {
    Value sign =
        l.shl(l.andi(code, l.i32(int64_t(1) << n)), l.i32(31 - int(n)));
    value = l.toF32(l.ori(l.toI32(value), sign));
  }
  Value isNaN;
  switch (f.specials) {
  case SpecialValues::IEEE:
    isNaN = l.cmp(P::ugt, magnitude, l.i32(infMagnitude));
    break;
  case SpecialValues::FN:
  case SpecialValues::E8M0:
    isNaN = l.cmp(P::eq, magnitude, l.i32(allOnes));
    break;
  case SpecialValues::FNUZ:
    isNaN = l.cmp(P::eq, l.andi(code, l.i32((allOnes << 1) | 1)),
                  l.i32(int64_t(1) << n));
    break;
  case SpecialValues::Finite:
    break;
  }
  if (isNaN)
    value = l.select(isNaN, l.nan(), value);
  return value;
}

} // namespace

//===----------------------------------------------------------------------===//
// ElementCodegen's f32 entry points
//===----------------------------------------------------------------------===//

bool ElementCodegen::isF32(const ValueFormat &format) {
  if (format.isF64 || !format.format->isFloat())
    return false;
  const FloatFormat &f = format.format->getFloat();
  return f.exponentBits == 8 && f.mantissaBits == 23 && f.bias == 127 &&
         f.isSigned && f.specials == SpecialValues::IEEE;
}

bool ElementCodegen::canEncodeF32(const Format &format,
                                  const RoundingOptions &options) {
  if (!isDeterministic(options.mode))
    return false;
  if (format.isInteger())
    return true;
  return planHolds(format);
}

bool ElementCodegen::canDecodeToF32(const Format &format) {
  if (format.isInteger())
    return format.getInteger().width <= 24;
  if (!format.isFloat())
    return false;
  return minifloatDecodesToF32(format);
}

bool ElementCodegen::convertsThroughF32(const ValueFormat &from,
                                        const ValueFormat &to,
                                        const RoundingOptions &options,
                                        bool hasRandom) {
  if (hasRandom || !isDeterministic(options.mode) || from.isF64 || to.isF64)
    return false;
  bool source = isF32(from) || canDecodeToF32(*from.format);
  bool target = isF32(to) || canEncodeF32(*to.format, options);
  return source && target;
}

Value ElementCodegen::encodeF32(const Format &format, Value x,
                                const RoundingOptions &options) {
  Lanes l(b, x.getType());
  if (format.isInteger())
    return encodeIntegerF32(l, format, x, options);
  return encodeFloatF32(l, format, x, options);
}

Value ElementCodegen::decodeToF32(const Format &format, Value code) {
  Lanes l(b, code.getType());
  if (format.isFloat())
    return decodeMinifloatF32(l, format.getFloat(), code);
  const IntegerFormat &integer = format.getInteger();
  Value value = code;
  if (integer.isSigned && integer.width < 32) {
    // Signed codes hold their value; only the low width bits are read.
    Value shift = l.i32(32 - integer.width);
    value = l.shrsi(l.shl(code, shift), shift);
  } else if (!integer.isSigned) {
    value = l.andi(code, l.i32((int64_t(1) << integer.width) - 1));
  }
  // Exact: at most 24 significant bits.
  return arith::SIToFPOp::create(b, l.f32Type, value);
}

Value ElementCodegen::loadCode32(Value stored) {
  Lanes l(b, stored.getType());
  Type element = getElementTypeOrSelf(stored.getType());
  if (isa<FloatType>(element))
    return arith::BitcastOp::create(b, l.i32Type, stored);
  if (element.getIntOrFloatBitWidth() == 32)
    return stored;
  return arith::ExtUIOp::create(b, l.i32Type, stored);
}

Value ElementCodegen::storeCode32(Value code, Type storageType) {
  auto shaped = dyn_cast<ShapedType>(code.getType());
  auto like = [&](Type element) -> Type {
    return shaped ? Type(shaped.clone(element)) : element;
  };
  if (isa<FloatType>(storageType))
    return arith::BitcastOp::create(b, like(storageType), code);
  if (storageType.getIntOrFloatBitWidth() == 32)
    return code;
  return arith::TruncIOp::create(b, like(storageType), code);
}

Value ElementCodegen::convert(const ValueFormat &from, const ValueFormat &to,
                              Value stored, Type storage,
                              const RoundingOptions &options, Value random,
                              Value table) {
  if (!convertsThroughF32(from, to, options, bool(random))) {
    Value sticky;
    Value value = decode(from, loadCode(stored), table, sticky);
    Value bits = random ? loadCode(random) : Value();
    return storeCode(encode(to, value, options, bits, sticky), storage);
  }
  Value x =
      isF32(from) ? stored : decodeToF32(*from.format, loadCode32(stored));
  if (isF32(to)) {
    if (!isF32(from))
      return x;
    // f32 to f32 rounds nothing; NaN becomes the canonical NaN.
    Lanes l(b, x.getType());
    return l.select(l.cmpf(arith::CmpFPredicate::UNO, x, x), l.nan(), x);
  }
  return storeCode32(encodeF32(*to.format, x, options), storage);
}
