//===- VectorCode.cpp - Decoding codes and lane orders in vector code -----===//

#include "VectorCode.h"

#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/ADT/bit.h"

#include <cmath>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

namespace {

//===----------------------------------------------------------------------===//
// Decoding codes to f32 on vectors
//===----------------------------------------------------------------------===//

/// What the Minifloat decoding computes for `code`, step by step as the
/// emitted code does; checked against the numerics core on every code
/// before that decoding is used.
float minifloatAsEmitted(const FloatFormat &f, uint32_t code) {
  unsigned fieldBits = f.exponentBits + f.mantissaBits;
  uint32_t magnitudeMask = (uint32_t(1) << fieldBits) - 1;
  uint32_t magnitude = code & magnitudeMask;
  float value = llvm::bit_cast<float>(magnitude << (23 - f.mantissaBits)) *
                std::ldexp(1.0f, 127 - f.bias);
  uint32_t topExponent = ((uint32_t(1) << f.exponentBits) - 1)
                         << f.mantissaBits;
  switch (f.specials) {
  case SpecialValues::IEEE:
    if (magnitude >= topExponent)
      value = magnitude == topExponent ? INFINITY : NAN;
    break;
  case SpecialValues::FN:
    if (magnitude == magnitudeMask)
      value = NAN;
    break;
  case SpecialValues::FNUZ:
    if (code == (uint32_t(1) << fieldBits))
      value = NAN;
    break;
  default:
    break;
  }
  if (f.isSigned && (code >> fieldBits))
    value =
        llvm::bit_cast<float>(llvm::bit_cast<uint32_t>(value) | 0x80000000u);
  return value;
}

bool sameFloat(float a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::isnan(a) && std::isnan(b);
  return double(a) == b && std::signbit(a) == std::signbit(b);
}

} // namespace

std::optional<DecodeKind> lowp::chooseDecode(const Format &format) {
  unsigned width = format.getBitWidth();
  if (format.isFloat() && format.getFloat().exponentBits == 8 &&
      format.getFloat().mantissaBits == 23 && format.getFloat().bias == 127 &&
      format.getFloat().isSigned &&
      format.getFloat().specials == SpecialValues::IEEE)
    return DecodeKind::F32;
  if (width <= 4)
    return DecodeKind::Table;
  if (width > 16)
    return std::nullopt;
  // bfloat16 is the top half of an f32.
  if (format.isFloat() && format.getFloat().exponentBits == 8 &&
      format.getFloat().mantissaBits == 7 && format.getFloat().bias == 127 &&
      format.getFloat().isSigned &&
      format.getFloat().specials == SpecialValues::IEEE)
    return DecodeKind::BFloat;
  if (format.isInteger())
    return DecodeKind::Integer;
  if (!format.isFloat())
    return std::nullopt;
  const FloatFormat &f = format.getFloat();
  if (f.specials == SpecialValues::E8M0)
    return f.exponentBits == 8 && f.bias == 127 && !f.isSigned
               ? std::optional(DecodeKind::E8M0)
               : std::nullopt;
  if (f.mantissaBits > 23 || 127 - f.bias < -126 || 127 - f.bias > 127)
    return std::nullopt;
  for (uint32_t code = 0; code < format.getNumCodes(); ++code)
    if (!sameFloat(minifloatAsEmitted(f, code), format.decode(code)))
      return std::nullopt;
  return DecodeKind::Minifloat;
}

VectorDecoder::VectorDecoder(const Format &format)
    : format(format), kind(*chooseDecode(format)) {}

Value VectorDecoder::decode(ImplicitLocOpBuilder &at, Value codes,
                            bool highBitsClear) {
  b = &at;
  auto type = cast<VectorType>(codes.getType());
  VectorType f32Type = VectorType::get(type.getShape(), b->getF32Type());
  unsigned width = format.getBitWidth();
  switch (kind) {
  case DecodeKind::F32:
    return arith::BitcastOp::create(*b, f32Type, codes);
  case DecodeKind::Table:
    return lookup(codes, f32Type);
  case DecodeKind::Integer: {
    if (!highBitsClear)
      codes = mask(codes, (1u << width) - 1);
    Value value = codes;
    if (format.getInteger().isSigned) {
      Value shift = i32(type, 32 - width);
      value = arith::ShRSIOp::create(
          *b, arith::ShLIOp::create(*b, codes, shift), shift);
    }
    return arith::SIToFPOp::create(*b, f32Type, value);
  }
  case DecodeKind::E8M0: {
    if (!highBitsClear)
      codes = mask(codes, 255);
    Value value = arith::BitcastOp::create(
        *b, f32Type, arith::ShLIOp::create(*b, codes, i32(type, 23)));
    value =
        select(equals(codes, 0), f32(f32Type, std::ldexp(1.0f, -127)), value);
    return select(equals(codes, 255), f32(f32Type, NAN), value);
  }
  case DecodeKind::BFloat:
    // The shift drops any bits above the code's 16.
    return arith::BitcastOp::create(
        *b, f32Type, arith::ShLIOp::create(*b, codes, i32(type, 16)));
  case DecodeKind::Minifloat:
    return minifloat(highBitsClear ? codes : mask(codes, (1u << width) - 1),
                     f32Type);
  }
  llvm_unreachable("every decode kind is handled");
}

Value VectorDecoder::i32(VectorType type, int64_t value) {
  return arith::ConstantOp::create(
      *b,
      DenseElementsAttr::get(VectorType::get(type.getShape(), b->getI32Type()),
                             b->getI32IntegerAttr(int32_t(value)).getValue()));
}
Value VectorDecoder::f32(VectorType type, float value) {
  return arith::ConstantOp::create(
      *b, DenseElementsAttr::get(type, b->getF32FloatAttr(value).getValue()));
}
Value VectorDecoder::mask(Value codes, uint32_t bits) {
  return arith::AndIOp::create(*b, codes,
                               i32(cast<VectorType>(codes.getType()), bits));
}
Value VectorDecoder::equals(Value codes, uint32_t value) {
  return arith::CmpIOp::create(*b, arith::CmpIPredicate::eq, codes,
                               i32(cast<VectorType>(codes.getType()), value));
}
Value VectorDecoder::select(Value condition, Value a, Value other) {
  return arith::SelectOp::create(*b, condition, a, other);
}

/// table[code mod 16], the table being the format's values repeated to
/// fill 16 entries, so that the codes may carry other bits above their
/// width: lowp.lookup reads the low four bits of each index.
Value VectorDecoder::lookup(Value codes, VectorType f32Type) {
  unsigned width = format.getBitWidth();
  SmallVector<float> table(16);
  for (unsigned i = 0; i < 16; ++i)
    table[i] = float(format.decode(i & ((1u << width) - 1)));
  auto tableType = VectorType::get({kVectorLanes}, b->getF32Type());
  Value tableVector = arith::ConstantOp::create(
      *b, DenseElementsAttr::get(tableType, ArrayRef<float>(table)));
  return LookupOp::create(*b, tableVector, codes);
}

Value VectorDecoder::minifloat(Value codes, VectorType f32Type) {
  const FloatFormat &f = format.getFloat();
  auto type = cast<VectorType>(codes.getType());
  unsigned fieldBits = f.exponentBits + f.mantissaBits;
  uint32_t magnitudeMask = (uint32_t(1) << fieldBits) - 1;
  Value magnitude = f.isSigned ? mask(codes, magnitudeMask) : codes;
  Value value = arith::BitcastOp::create(
      *b, f32Type,
      arith::ShLIOp::create(*b, magnitude, i32(type, 23 - f.mantissaBits)));
  // Exact: a power of two that keeps every value of the format normal or
  // subnormal in f32 as it is in the format.
  value = arith::MulFOp::create(*b, value,
                                f32(f32Type, std::ldexp(1.0f, 127 - f.bias)));
  uint32_t topExponent = ((uint32_t(1) << f.exponentBits) - 1)
                         << f.mantissaBits;
  switch (f.specials) {
  case SpecialValues::IEEE: {
    Value special = arith::CmpIOp::create(*b, arith::CmpIPredicate::uge,
                                          magnitude, i32(type, topExponent));
    Value infOrNaN = select(equals(magnitude, topExponent),
                            f32(f32Type, INFINITY), f32(f32Type, NAN));
    value = select(special, infOrNaN, value);
    break;
  }
  case SpecialValues::FN:
    value = select(equals(magnitude, magnitudeMask), f32(f32Type, NAN), value);
    break;
  case SpecialValues::FNUZ:
    value = select(equals(codes, uint32_t(1) << fieldBits), f32(f32Type, NAN),
                   value);
    break;
  default:
    break;
  }
  if (!f.isSigned)
    return value;
  Value sign = arith::ShLIOp::create(
      *b, arith::ShRUIOp::create(*b, codes, i32(type, fieldBits)),
      i32(type, 31));
  Value bits = arith::OrIOp::create(
      *b, arith::BitcastOp::create(*b, type.clone(b->getI32Type()), value),
      sign);
  return arith::BitcastOp::create(*b, f32Type, bits);
}

/// Codes of `storage` (i8, i16, i32 or f32 vectors) as i32 lanes.
Value lowp::indexConstant(ImplicitLocOpBuilder &at, int64_t value) {
  return arith::ConstantIndexOp::create(at, value);
}

Value lowp::atMost(ImplicitLocOpBuilder &at, Value x, float bound) {
  auto vector = dyn_cast<VectorType>(x.getType());
  Value limit =
      vector ? f32Splat(at, bound, vector.getNumElements())
             : Value(arith::ConstantOp::create(at, at.getF32FloatAttr(bound)));
  return arith::SelectOp::create(
      at, arith::CmpFOp::create(at, arith::CmpFPredicate::OGT, x, limit), limit,
      x);
}

Value lowp::choiceTable(ImplicitLocOpBuilder &at,
                        const numerics::BlockScaling &scaling) {
  unsigned w = scaling.element.getBitWidth();
  int64_t length = int64_t(1) << (w + scaling.getSelectorBits());
  SmallVector<float> table(length, NAN);
  for (unsigned c = 0; c < scaling.choices.size(); ++c) {
    numerics::BlockScaling chosen = scaling.getChosen(c);
    for (uint32_t code = 0; code < (1u << w); ++code)
      table[(c << w) | code] =
          float(chosen.element.decode(code) * chosen.getElementUnit());
  }
  return arith::ConstantOp::create(
      at, DenseElementsAttr::get(VectorType::get({length}, at.getF32Type()),
                                 ArrayRef<float>(table)));
}

Value lowp::f32Splat(ImplicitLocOpBuilder &at, float value, int64_t lanes) {
  return arith::ConstantOp::create(
      at, DenseElementsAttr::get(VectorType::get({lanes}, at.getF32Type()),
                                 at.getF32FloatAttr(value).getValue()));
}

Value lowp::i32Splat(ImplicitLocOpBuilder &at, int32_t value, int64_t lanes) {
  return arith::ConstantOp::create(
      at, DenseElementsAttr::get(VectorType::get({lanes}, at.getI32Type()),
                                 at.getI32IntegerAttr(value).getValue()));
}

Value lowp::readVector(ImplicitLocOpBuilder &at, Value tensor,
                       ValueRange indices, int64_t lanes, bool inBounds) {
  Type element = cast<RankedTensorType>(tensor.getType()).getElementType();
  Value padding = arith::ConstantOp::create(at, at.getZeroAttr(element));
  return vector::TransferReadOp::create(at, VectorType::get({lanes}, element),
                                        tensor, indices, padding,
                                        ArrayRef<bool>{inBounds});
}

Value lowp::readCodeLanes(ImplicitLocOpBuilder &at, Value part,
                          ValueRange leading, Value column, int64_t count,
                          unsigned width, bool inBounds) {
  auto indices = [&](Value last) {
    SmallVector<Value> all(leading);
    all.push_back(last);
    return all;
  };
  if (!width)
    return widenCodes(at,
                      readVector(at, part, indices(column), count, inBounds));
  int64_t perByte = 8 / width;
  Value byte = arith::DivUIOp::create(at, column, indexConstant(at, perByte));
  if (count > 1 && count % perByte != 0) {
    // Fewer codes than fill whole bytes: each read on its own.
    Value lanes = arith::ConstantOp::create(
        at, DenseElementsAttr::get(VectorType::get({count}, at.getI32Type()),
                                   at.getI32IntegerAttr(0).getValue()));
    for (int64_t j = 0; j < count; ++j) {
      Value one =
          readCodeLanes(at, part, leading,
                        arith::AddIOp::create(at, column, indexConstant(at, j)),
                        1, width, inBounds);
      lanes = vector::InsertOp::create(
          at, vector::ExtractOp::create(at, one, int64_t(0)), lanes, j);
    }
    return lanes;
  }
  if (count == 1) {
    // The code's bits start (column mod P) * w into its byte.
    Value bits =
        widenCodes(at, readVector(at, part, indices(byte), 1, inBounds));
    Value shift = arith::IndexCastOp::create(
        at, at.getI32Type(),
        arith::MulIOp::create(
            at, arith::RemUIOp::create(at, column, indexConstant(at, perByte)),
            indexConstant(at, width)));
    return arith::ShRUIOp::create(
        at, bits,
        vector::BroadcastOp::create(at, VectorType::get({1}, at.getI32Type()),
                                    shift));
  }
  // Whole bytes: lane l of phase p holds code l * P + p.
  Value bytes = widenCodes(
      at, readVector(at, part, indices(byte), count / perByte, inBounds));
  SmallVector<Value> phases;
  for (int64_t p = 0; p < perByte; ++p)
    phases.push_back(
        p == 0
            ? bytes
            : arith::ShRUIOp::create(
                  at, bytes, i32Splat(at, int32_t(p * width), count / perByte))
                  .getResult());
  return interleave(at, phases);
}

Value lowp::widenCodes(ImplicitLocOpBuilder &b, Value stored) {
  auto type = cast<VectorType>(stored.getType());
  auto i32Type = type.clone(b.getI32Type());
  if (type.getElementType().isF32())
    return arith::BitcastOp::create(b, i32Type, stored);
  if (type.getElementType().isInteger(32))
    return stored;
  return arith::ExtUIOp::create(b, i32Type, stored);
}

//===----------------------------------------------------------------------===//
// Lane orders
//===----------------------------------------------------------------------===//

/// Splits a vector into `phases` vectors, vector p holding lanes p, p +
/// phases, p + 2 * phases, ... (phases a power of two).
SmallVector<Value> lowp::deinterleave(ImplicitLocOpBuilder &b, Value vector,
                                      int64_t phases) {
  if (phases == 1)
    return {vector};
  auto halves = vector::DeinterleaveOp::create(b, vector);
  SmallVector<Value> even = deinterleave(b, halves.getRes1(), phases / 2);
  SmallVector<Value> odd = deinterleave(b, halves.getRes2(), phases / 2);
  SmallVector<Value> result;
  for (int64_t p = 0; p < phases / 2; ++p) {
    result.push_back(even[p]);
    result.push_back(odd[p]);
  }
  return result;
}

/// The inverse of deinterleave.
Value lowp::interleave(ImplicitLocOpBuilder &b, ArrayRef<Value> phases) {
  if (phases.size() == 1)
    return phases.front();
  SmallVector<Value> even, odd;
  for (size_t p = 0; p < phases.size(); ++p)
    (p % 2 ? odd : even).push_back(phases[p]);
  return vector::InterleaveOp::create(b, interleave(b, even),
                                      interleave(b, odd));
}

bool lowp::decodesExactly(const Format &format) {
  std::optional<DecodeKind> kind = chooseDecode(format);
  if (!kind)
    return false;
  if (*kind != DecodeKind::Table)
    return true;
  for (uint32_t code = 0; code < format.getNumCodes(); ++code) {
    double value = format.decode(code);
    if (!std::isnan(value) && double(float(value)) != value)
      return false;
  }
  return true;
}
