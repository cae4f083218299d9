//===- LowpOps.cpp - lowp operations --------------------------------------===//
//
// Verifiers check one op each; every check has a full-text test in
// test/Dialect/Lowp/invalid.mlir. Folders compute through the numerics
// core, so a folded constant is bit for bit what compiled code produces.
//
//===----------------------------------------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Numerics/BlockScale.h"
#include "lowp/Numerics/Hadamard.h"
#include "lowp/Numerics/Philox.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/bit.h"

#include <cmath>
#include <cstring>
#include <limits>

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

#include "lowp/Dialect/Lowp/IR/LowpEnums.cpp.inc"

#define GET_OP_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared helpers
//===----------------------------------------------------------------------===//

RoundingMode lowp::toNumerics(Rounding rounding) {
  switch (rounding) {
  case Rounding::to_nearest_even:
    return RoundingMode::NearestEven;
  case Rounding::to_nearest_away:
    return RoundingMode::NearestAway;
  case Rounding::toward_zero:
    return RoundingMode::TowardZero;
  case Rounding::upward:
    return RoundingMode::Upward;
  case Rounding::downward:
    return RoundingMode::Downward;
  case Rounding::stochastic:
    return RoundingMode::Stochastic;
  }
  return RoundingMode::NearestEven;
}

RoundingMode lowp::toNumerics(std::optional<arith::RoundingMode> rounding) {
  if (!rounding)
    return RoundingMode::NearestEven;
  switch (*rounding) {
  case arith::RoundingMode::to_nearest_even:
    return RoundingMode::NearestEven;
  case arith::RoundingMode::downward:
    return RoundingMode::Downward;
  case arith::RoundingMode::upward:
    return RoundingMode::Upward;
  case arith::RoundingMode::toward_zero:
    return RoundingMode::TowardZero;
  case arith::RoundingMode::to_nearest_away:
    return RoundingMode::NearestAway;
  }
  return RoundingMode::NearestEven;
}

double ValueFormat::decode(uint64_t code) const {
  if (isF64)
    return llvm::bit_cast<double>(code);
  return format->decode(uint32_t(code));
}

double ValueFormat::decode(uint64_t code, int &sticky) const {
  sticky = 0;
  if (isF64)
    return llvm::bit_cast<double>(code);
  return format->decode(uint32_t(code), sticky);
}

uint64_t ValueFormat::encode(double value, int sticky,
                             const RoundingOptions &options) const {
  if (isF64) {
    // `value` is the nearest double to value + sticky * epsilon (a
    // logarithmic value): a directed mode moves one ulp where the exact
    // value lies beyond it in the mode's direction.
    uint64_t bits = llvm::bit_cast<uint64_t>(value);
    int magnitudeSticky = std::signbit(value) ? -sticky : sticky;
    bool towardZero =
        options.mode == RoundingMode::TowardZero ||
        (options.mode == RoundingMode::Upward && std::signbit(value)) ||
        (options.mode == RoundingMode::Downward && !std::signbit(value));
    bool awayFromZero =
        (options.mode == RoundingMode::Upward && !std::signbit(value)) ||
        (options.mode == RoundingMode::Downward && std::signbit(value));
    if (towardZero && magnitudeSticky < 0)
      return bits - 1;
    if (awayFromZero && magnitudeSticky > 0)
      return bits + 1;
    return bits;
  }
  return format->encode(value, sticky, options);
}

std::optional<ValueFormat> lowp::getValueFormat(Type elementType) {
  if (elementType.isF64())
    return ValueFormat{std::nullopt, true};
  if (std::optional<Format> format = getNumericFormat(elementType))
    return ValueFormat{format, false};
  return std::nullopt;
}

RankedTensorType lowp::getPackedType(RankedTensorType type) {
  if (!type || type.getRank() == 0 || type.getEncoding() ||
      ShapedType::isDynamic(type.getShape().back()))
    return {};
  // i1, the type of comparisons, is a byte per element as LLVM stores it
  // and as numpy's bool is; ui1 and the other narrow formats are packed.
  if (type.getElementType().isSignlessInteger(1))
    return {};
  std::optional<Format> format = getNumericFormat(type.getElementType());
  if (!format || format->getBitWidth() >= 8)
    return {};
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = (shape.back() * format->getBitWidth() + 7) / 8;
  return RankedTensorType::get(shape, IntegerType::get(type.getContext(), 8));
}

SmallVector<Type> lowp::getPartTypes(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  auto encoding =
      tensor ? dyn_cast_or_null<BlockScaledEncodingAttr>(tensor.getEncoding())
             : BlockScaledEncodingAttr();
  if (!encoding)
    return {type};
  SmallVector<int64_t> scaleShape = encoding.getScaleShape(tensor.getShape());
  SmallVector<Type> parts{
      RankedTensorType::get(tensor.getShape(), tensor.getElementType()),
      RankedTensorType::get(scaleShape, encoding.getScaleType())};
  if (Type tensorScale = encoding.getTensorScaleType())
    parts.push_back(RankedTensorType::get({}, tensorScale));
  if (Type zeroPoint = encoding.getZeroPointType())
    parts.push_back(RankedTensorType::get(scaleShape, zeroPoint));
  if (Type selector = encoding.getSelectorType())
    parts.push_back(RankedTensorType::get(scaleShape, selector));
  return parts;
}

namespace {
/// "[4, 8]" or "[?, 8]".
std::string shapeString(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += ShapedType::isDynamic(shape[i]) ? "?" : std::to_string(shape[i]);
  }
  return text + "]";
}

/// Static dimensions must be equal; a dynamic one matches anything.
bool shapesCompatible(ArrayRef<int64_t> a, ArrayRef<int64_t> b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!ShapedType::isDynamic(a[i]) && !ShapedType::isDynamic(b[i]) &&
        a[i] != b[i])
      return false;
  return true;
}

BlockScaledEncodingAttr getEncoding(Type type) {
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return dyn_cast_or_null<BlockScaledEncodingAttr>(tensor.getEncoding());
  return {};
}

/// Checks that `type`'s elements are a number format or f64.
LogicalResult verifyValueElement(Operation *op, Type elementType,
                                 StringRef role) {
  if (!getValueFormat(elementType))
    return op->emitOpError() << role << " element type " << elementType
                             << " is not a number format lowp supports";
  return success();
}

/// For ops that compute with the values of their operands (not
/// lowp.convert, which rounds the exact value): logarithmic values are
/// irrational, so they must be converted into a float first.
LogicalResult verifyNotLogarithmic(Operation *op, Type elementType,
                                   StringRef role) {
  std::optional<ValueFormat> format = getValueFormat(elementType);
  if (format && format->format && format->format->isLogarithmic())
    return op->emitOpError()
           << role << " element type " << elementType
           << " is logarithmic: lowp.convert it to a float first";
  return success();
}

/// The checks shared by every op that takes a `random` operand.
LogicalResult verifyRandomBits(Operation *op, Value input, Value random,
                               Rounding rounding, Type resultElement) {
  bool stochastic = rounding == Rounding::stochastic;
  if (stochastic && !random)
    return op->emitOpError("stochastic rounding needs a 'random' operand");
  if (!stochastic && random)
    return op->emitOpError("a 'random' operand needs stochastic rounding");
  if (!random)
    return success();
  Type randomElement = getElementTypeOrSelf(random.getType());
  auto integer = dyn_cast<IntegerType>(randomElement);
  if (!integer || integer.isSigned() || integer.getWidth() > 32)
    return op->emitOpError("random bits must be signless or unsigned "
                           "integers of 1 to 32 bits, not ")
           << randomElement;
  auto inputShaped = dyn_cast<ShapedType>(input.getType());
  auto randomShaped = dyn_cast<ShapedType>(random.getType());
  if ((bool)inputShaped != (bool)randomShaped ||
      (inputShaped &&
       !shapesCompatible(inputShaped.getShape(), randomShaped.getShape())))
    return op->emitOpError("random bits must have the shape of the input");
  std::optional<ValueFormat> result = getValueFormat(resultElement);
  if (result && result->format) {
    RoundingOptions options;
    options.mode = RoundingMode::Stochastic;
    options.randomBitCount = integer.getWidth();
    std::string message = result->format->verifyRounding(options);
    if (!message.empty())
      return op->emitOpError(message);
  }
  return success();
}

/// The code of each element of a constant, widened to 64 bits.
/// The codes of a constant: one for a splat, whatever its shape, and none
/// (not folded) for a dense constant of more than kMaxFoldedElements.
std::optional<SmallVector<uint64_t>> getCodes(Attribute attr) {
  SmallVector<uint64_t> codes;
  auto add = [&](Attribute element) -> bool {
    if (auto f = dyn_cast<FloatAttr>(element)) {
      codes.push_back(f.getValue().bitcastToAPInt().getZExtValue());
      return true;
    }
    if (auto i = dyn_cast<IntegerAttr>(element)) {
      codes.push_back(i.getValue().getZExtValue());
      return true;
    }
    return false;
  };
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(attr)) {
    if (dense.isSplat())
      return add(dense.getSplatValue<Attribute>())
                 ? std::optional<SmallVector<uint64_t>>(codes)
                 : std::nullopt;
    if (dense.getNumElements() > kMaxFoldedElements)
      return std::nullopt;
    Type element = dense.getElementType();
    if (isa<FloatType>(element)) {
      for (const APFloat &value : dense.getValues<APFloat>())
        codes.push_back(value.bitcastToAPInt().getZExtValue());
    } else if (isa<IntegerType>(element)) {
      for (const APInt &value : dense.getValues<APInt>())
        codes.push_back(value.getZExtValue());
    } else {
      return std::nullopt;
    }
    return codes;
  }
  if (attr && add(attr))
    return codes;
  return std::nullopt;
}

/// A constant of `type` (a builtin float or integer element type, scalar or
/// statically shaped) holding `codes`; null if such a constant cannot exist.
Attribute makeConstant(Type type, ArrayRef<uint64_t> codes) {
  Type element = getElementTypeOrSelf(type);
  auto shaped = dyn_cast<ShapedType>(type);
  if (shaped && (!shaped.hasStaticShape() || getEncoding(type)))
    return {};
  if (auto floatType = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> values;
    for (uint64_t code : codes)
      values.emplace_back(floatType.getFloatSemantics(),
                          APInt(floatType.getWidth(), code));
    if (!shaped)
      return FloatAttr::get(floatType, values.front());
    return DenseElementsAttr::get(shaped, values);
  }
  if (auto integerType = dyn_cast<IntegerType>(element)) {
    SmallVector<APInt> values;
    for (uint64_t code : codes)
      values.emplace_back(integerType.getWidth(), code);
    if (!shaped)
      return IntegerAttr::get(integerType, values.front());
    return DenseElementsAttr::get(shaped, values);
  }
  return {};
}
} // namespace

//===----------------------------------------------------------------------===//
// ConvertOp
//===----------------------------------------------------------------------===//

LogicalResult ConvertOp::verify() {
  Type inputType = getInput().getType(), resultType = getResult().getType();
  auto inputShaped = dyn_cast<ShapedType>(inputType);
  auto resultShaped = dyn_cast<ShapedType>(resultType);
  auto isValueKind = [](ShapedType type) {
    return !type || isa<RankedTensorType, VectorType>(type);
  };
  if ((bool)inputShaped != (bool)resultShaped ||
      (inputShaped && inputShaped.getTypeID() != resultShaped.getTypeID()) ||
      !isValueKind(inputShaped) || !isValueKind(resultShaped))
    return emitOpError("input and result must both be scalars, both ranked "
                       "tensors or both vectors");
  if (getEncoding(inputType) || getEncoding(resultType))
    return emitOpError("takes values without an encoding; block-scaled "
                       "tensors go through lowp.quantize and lowp.dequantize");
  if (inputShaped &&
      !shapesCompatible(inputShaped.getShape(), resultShaped.getShape()))
    return emitOpError("input shape ")
           << shapeString(inputShaped.getShape()) << " and result shape "
           << shapeString(resultShaped.getShape()) << " differ";
  Type resultElement = getElementTypeOrSelf(resultType);
  if (failed(verifyValueElement(*this, getElementTypeOrSelf(inputType),
                                "input")) ||
      failed(verifyValueElement(*this, resultElement, "result")))
    return failure();
  return verifyRandomBits(*this, getInput(), getRandom(), getRounding(),
                          resultElement);
}

/// The codes `op` computes from input codes and the codes of its random
/// bits (when it has them), through the numerics core.
static std::optional<SmallVector<uint64_t>>
convertCodes(ConvertOp op, SmallVector<uint64_t> codes, Attribute random) {
  std::optional<SmallVector<uint64_t>> randomBits;
  if (op.getRandom()) {
    randomBits = getCodes(random);
    if (!randomBits)
      return std::nullopt;
    if (randomBits->size() == 1 && codes.size() > 1)
      randomBits->resize(codes.size(), randomBits->front());
  }
  ValueFormat from = *getValueFormat(getElementTypeOrSelf(op.getInput()));
  ValueFormat to = *getValueFormat(getElementTypeOrSelf(op.getResult()));
  RoundingOptions options;
  options.mode = toNumerics(op.getRounding());
  options.saturate = op.getSaturate();
  if (op.getRandom())
    options.randomBitCount =
        getElementTypeOrSelf(op.getRandom()).getIntOrFloatBitWidth();
  // A splat constant holds one code for every element; a splat input with
  // splat random bits (or none) folds to a splat.
  if (codes.size() == 1 && randomBits && randomBits->size() > 1)
    codes.resize(randomBits->size(), codes.front());
  SmallVector<uint64_t> results;
  for (size_t i = 0; i < codes.size(); ++i) {
    if (randomBits)
      options.randomBits = (*randomBits)[i];
    int sticky = 0;
    double value = from.decode(codes[i], sticky);
    results.push_back(to.encode(value, sticky, options));
  }
  return results;
}

OpFoldResult ConvertOp::fold(FoldAdaptor adaptor) {
  std::optional<SmallVector<uint64_t>> codes = getCodes(adaptor.getInput());
  if (!codes) {
    // A constant converted into a format no builtin attribute holds
    // (posits, HiFloat8, parametric minifloats, codebooks) and out again
    // folds as a pair: the codes in between never need a constant.
    auto inner = getInput().getDefiningOp<ConvertOp>();
    Attribute innerInput, innerRandom;
    if (!inner || !matchPattern(inner.getInput(), m_Constant(&innerInput)) ||
        (inner.getRandom() &&
         !matchPattern(inner.getRandom(), m_Constant(&innerRandom))))
      return {};
    std::optional<SmallVector<uint64_t>> innerCodes = getCodes(innerInput);
    if (!innerCodes)
      return {};
    codes = convertCodes(inner, *innerCodes, innerRandom);
    if (!codes)
      return {};
  }
  std::optional<SmallVector<uint64_t>> results =
      convertCodes(*this, *codes, adaptor.getRandom());
  if (!results)
    return {};
  return makeConstant(getType(), *results);
}

//===----------------------------------------------------------------------===//
// QuantizeOp
//===----------------------------------------------------------------------===//

/// The checks lowp.quantize and lowp.requantize share: the input encoded
/// or not as `encodedInput` says, an encoded result, one shape.
static LogicalResult verifyQuantizeShapes(Operation *op, bool encodedInput) {
  auto inputType = cast<RankedTensorType>(op->getOperand(0).getType());
  auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
  if (encodedInput && !getEncoding(inputType))
    return op->emitOpError("input must have a #lowp.block_scaled encoding");
  if (!encodedInput && getEncoding(inputType))
    return op->emitOpError("input must not have an encoding");
  if (!getEncoding(resultType))
    return op->emitOpError("result must have a #lowp.block_scaled encoding");
  if (!shapesCompatible(inputType.getShape(), resultType.getShape()))
    return op->emitOpError("input shape ")
           << shapeString(inputType.getShape()) << " and result shape "
           << shapeString(resultType.getShape()) << " differ";
  return success();
}

LogicalResult QuantizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (failed(verifyQuantizeShapes(*this, /*encodedInput=*/false)))
    return failure();
  if (failed(verifyValueElement(*this, inputType.getElementType(), "input")) ||
      failed(verifyNotLogarithmic(*this, inputType.getElementType(), "input")))
    return failure();
  return verifyRandomBits(*this, getInput(), getRandom(), getRounding(),
                          resultType.getElementType());
}

namespace {
/// quantize(constant) -> assemble(constant parts), computed by the numerics
/// core. Only where every part is a builtin type a constant can hold.
struct FoldConstantQuantize : OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(QuantizeOp op,
                                PatternRewriter &rewriter) const override {
    Attribute input, random;
    if (!matchPattern(op.getInput(), m_Constant(&input)))
      return failure();
    if (op.getRandom() && !matchPattern(op.getRandom(), m_Constant(&random)))
      return failure();
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!resultType.hasStaticShape() ||
        resultType.getNumElements() > kMaxFoldedElements)
      return failure();
    std::optional<SmallVector<uint64_t>> codes = getCodes(input);
    if (!codes)
      return failure();
    auto encoding = getEncoding(resultType);
    ValueFormat from =
        *getValueFormat(getElementTypeOrSelf(op.getInput().getType()));
    std::vector<double> values;
    for (uint64_t code : *codes)
      values.push_back(from.decode(code));
    values.resize(resultType.getNumElements(), values.front());
    std::vector<uint64_t> randomBits;
    if (random) {
      std::optional<SmallVector<uint64_t>> bits = getCodes(random);
      if (!bits)
        return failure();
      randomBits.assign(bits->begin(), bits->end());
      randomBits.resize(values.size(), randomBits.front());
    }
    RoundingOptions options;
    options.mode = toNumerics(op.getRounding());
    if (op.getRandom())
      options.randomBitCount = getElementTypeOrSelf(op.getRandom().getType())
                                   .getIntOrFloatBitWidth();
    BlockScaling scaling = encoding.getScaling(resultType.getElementType());
    BlockScaledTensor quantized =
        quantizeTensor(scaling,
                       std::vector<int64_t>(resultType.getShape().begin(),
                                            resultType.getShape().end()),
                       std::vector<int64_t>(encoding.getBlock().begin(),
                                            encoding.getBlock().end()),
                       values, options, random ? randomBits.data() : nullptr);

    Location loc = op.getLoc();
    auto elementsType = RankedTensorType::get(resultType.getShape(),
                                              resultType.getElementType());
    auto scalesType = RankedTensorType::get(
        encoding.getScaleShape(resultType.getShape()), encoding.getScaleType());
    auto widen = [](const std::vector<uint32_t> &v) {
      return SmallVector<uint64_t>(v.begin(), v.end());
    };
    Attribute elements = makeConstant(elementsType, widen(quantized.elements));
    Attribute scales = makeConstant(scalesType, widen(quantized.scales));
    if (!elements || !scales)
      return failure();
    Value tensorScale, zeroPoints;
    if (Type type = encoding.getTensorScaleType()) {
      Attribute attr = makeConstant(type, {quantized.tensorScale});
      if (!attr)
        return failure();
      tensorScale =
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
    }
    if (Type type = encoding.getZeroPointType()) {
      auto zeroPointsType = RankedTensorType::get(scalesType.getShape(), type);
      Attribute attr =
          makeConstant(zeroPointsType, widen(quantized.zeroPoints));
      if (!attr)
        return failure();
      zeroPoints =
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
    }
    Value selectors;
    if (Type type = encoding.getSelectorType()) {
      Attribute attr =
          makeConstant(RankedTensorType::get(scalesType.getShape(), type),
                       widen(quantized.selectors));
      if (!attr)
        return failure();
      selectors =
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(attr));
    }
    Value elementsValue =
        arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(elements));
    Value scalesValue =
        arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(scales));
    rewriter.replaceOpWithNewOp<AssembleOp>(op, resultType, elementsValue,
                                            scalesValue, tensorScale,
                                            zeroPoints, selectors);
    return success();
  }
};
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<FoldConstantQuantize>(context);
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult RequantizeOp::verify() {
  if (failed(verifyQuantizeShapes(*this, /*encodedInput=*/true)))
    return failure();
  if (getRounding() == Rounding::stochastic)
    return emitOpError("stochastic rounding needs random bits: write "
                       "lowp.quantize of lowp.dequantize with them");
  return success();
}

//===----------------------------------------------------------------------===//
// DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult DequantizeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto resultType = cast<RankedTensorType>(getResult().getType());
  if (!getEncoding(inputType))
    return emitOpError("input must have a #lowp.block_scaled encoding");
  if (getEncoding(resultType))
    return emitOpError("result must not have an encoding");
  if (!shapesCompatible(inputType.getShape(), resultType.getShape()))
    return emitOpError("input shape ")
           << shapeString(inputType.getShape()) << " and result shape "
           << shapeString(resultType.getShape()) << " differ";
  std::optional<ValueFormat> result =
      getValueFormat(resultType.getElementType());
  if (!result || (result->format && !result->format->isFloat()))
    return emitOpError("result element type ")
           << resultType.getElementType()
           << " must be a floating-point number format or f64";
  return success();
}

OpFoldResult DequantizeOp::fold(FoldAdaptor adaptor) {
  auto assemble = getInput().getDefiningOp<AssembleOp>();
  if (!assemble)
    return {};
  auto resultType = cast<RankedTensorType>(getType());
  if (!resultType.hasStaticShape() ||
      resultType.getNumElements() > kMaxFoldedElements)
    return {};
  Attribute elementsAttr, scalesAttr, tensorScaleAttr, zeroPointsAttr,
      selectorsAttr;
  if (!matchPattern(assemble.getElements(), m_Constant(&elementsAttr)) ||
      !matchPattern(assemble.getScales(), m_Constant(&scalesAttr)) ||
      (assemble.getTensorScale() &&
       !matchPattern(assemble.getTensorScale(),
                     m_Constant(&tensorScaleAttr))) ||
      (assemble.getZeroPoints() &&
       !matchPattern(assemble.getZeroPoints(), m_Constant(&zeroPointsAttr))) ||
      (assemble.getSelectors() &&
       !matchPattern(assemble.getSelectors(), m_Constant(&selectorsAttr))))
    return {};
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto encoding = getEncoding(inputType);
  BlockScaling scaling = encoding.getScaling(inputType.getElementType());
  BlockScaledTensor tensor;
  tensor.shape.assign(inputType.getShape().begin(), inputType.getShape().end());
  tensor.block.assign(encoding.getBlock().begin(), encoding.getBlock().end());
  auto narrow = [](std::optional<SmallVector<uint64_t>> codes, size_t count,
                   std::vector<uint32_t> &out) {
    if (!codes)
      return false;
    out.assign(codes->begin(), codes->end());
    out.resize(count, out.empty() ? 0 : out.front());
    return true;
  };
  int64_t numScales = 1;
  for (int64_t d : encoding.getScaleShape(inputType.getShape()))
    numScales *= d;
  if (!narrow(getCodes(elementsAttr), inputType.getNumElements(),
              tensor.elements) ||
      !narrow(getCodes(scalesAttr), numScales, tensor.scales))
    return {};
  if (zeroPointsAttr &&
      !narrow(getCodes(zeroPointsAttr), numScales, tensor.zeroPoints))
    return {};
  if (selectorsAttr &&
      !narrow(getCodes(selectorsAttr), numScales, tensor.selectors))
    return {};
  if (tensorScaleAttr) {
    std::optional<SmallVector<uint64_t>> code = getCodes(tensorScaleAttr);
    if (!code)
      return {};
    tensor.tensorScale = uint32_t(code->front());
  }
  std::vector<double> values = dequantizeTensor(scaling, tensor);
  ValueFormat to = *getValueFormat(resultType.getElementType());
  SmallVector<uint64_t> codes;
  for (double value : values)
    codes.push_back(to.encode(value, 0, RoundingOptions{}));
  return makeConstant(resultType, codes);
}

//===----------------------------------------------------------------------===//
// AssembleOp / DisassembleOp
//===----------------------------------------------------------------------===//

/// The checks shared by assemble and disassemble: the parts' types follow
/// from the encoded type.
static LogicalResult verifyParts(Operation *op, RankedTensorType encodedType,
                                 Type elementsType, Type scalesType,
                                 Type tensorScaleType, Type zeroPointsType,
                                 Type selectorsType) {
  auto encoding = getEncoding(encodedType);
  if (!encoding)
    return op->emitOpError("encoded tensor must have a #lowp.block_scaled "
                           "encoding");
  auto expectedElements = RankedTensorType::get(encodedType.getShape(),
                                                encodedType.getElementType());
  if (elementsType != expectedElements)
    return op->emitOpError("elements must be ")
           << expectedElements << ", not " << elementsType;
  auto expectedScales = RankedTensorType::get(
      encoding.getScaleShape(encodedType.getShape()), encoding.getScaleType());
  if (scalesType != expectedScales)
    return op->emitOpError("scales must be ")
           << expectedScales << ", not " << scalesType;
  if ((bool)tensorScaleType != (bool)encoding.getTensorScaleType())
    return op->emitOpError(encoding.getTensorScaleType()
                               ? "the encoding has a tensor scale; give it"
                               : "the encoding has no tensor scale");
  if (tensorScaleType && tensorScaleType != encoding.getTensorScaleType())
    return op->emitOpError("tensor scale must be ")
           << encoding.getTensorScaleType() << ", not " << tensorScaleType;
  if ((bool)zeroPointsType != (bool)encoding.getZeroPointType())
    return op->emitOpError(encoding.getZeroPointType()
                               ? "the encoding has zero points; give them"
                               : "the encoding has no zero points");
  if (zeroPointsType) {
    auto expected = RankedTensorType::get(expectedScales.getShape(),
                                          encoding.getZeroPointType());
    if (zeroPointsType != expected)
      return op->emitOpError("zero points must be ")
             << expected << ", not " << zeroPointsType;
  }
  if ((bool)selectorsType != encoding.hasChoices())
    return op->emitOpError(encoding.hasChoices()
                               ? "the encoding has choices; give the selectors"
                               : "the encoding has no choices");
  if (selectorsType) {
    auto expected = RankedTensorType::get(expectedScales.getShape(),
                                          encoding.getSelectorType());
    if (selectorsType != expected)
      return op->emitOpError("selectors must be ")
             << expected << ", not " << selectorsType;
  }
  return success();
}

static Type typeOrNull(Value value) { return value ? value.getType() : Type(); }

LogicalResult AssembleOp::verify() {
  return verifyParts(*this, cast<RankedTensorType>(getType()),
                     getElements().getType(), getScales().getType(),
                     typeOrNull(getTensorScale()), typeOrNull(getZeroPoints()),
                     typeOrNull(getSelectors()));
}

OpFoldResult AssembleOp::fold(FoldAdaptor) {
  // assemble(disassemble(x)) is x when every part comes back in its place.
  auto disassemble = getElements().getDefiningOp<DisassembleOp>();
  if (!disassemble || disassemble.getInput().getType() != getType() ||
      getElements() != disassemble.getElements() ||
      getScales() != disassemble.getScales() ||
      getTensorScale() != disassemble.getTensorScale() ||
      getZeroPoints() != disassemble.getZeroPoints() ||
      getSelectors() != disassemble.getSelectors())
    return {};
  return disassemble.getInput();
}

void DisassembleOp::build(OpBuilder &builder, OperationState &state,
                          Value input) {
  auto type = cast<RankedTensorType>(input.getType());
  auto encoding = getEncoding(type);
  auto perBlock = [&](Type element) -> Type {
    if (!element)
      return {};
    return RankedTensorType::get(encoding.getScaleShape(type.getShape()),
                                 element);
  };
  build(builder, state,
        RankedTensorType::get(type.getShape(), type.getElementType()),
        perBlock(encoding.getScaleType()), encoding.getTensorScaleType(),
        perBlock(encoding.getZeroPointType()),
        perBlock(encoding.getSelectorType()), input);
}

LogicalResult DisassembleOp::verify() {
  return verifyParts(*this, cast<RankedTensorType>(getInput().getType()),
                     getElements().getType(), getScales().getType(),
                     typeOrNull(getTensorScale()), typeOrNull(getZeroPoints()),
                     typeOrNull(getSelectors()));
}

LogicalResult DisassembleOp::fold(FoldAdaptor,
                                  SmallVectorImpl<OpFoldResult> &results) {
  auto assemble = getInput().getDefiningOp<AssembleOp>();
  if (!assemble)
    return failure();
  results.push_back(assemble.getElements());
  results.push_back(assemble.getScales());
  if (assemble.getTensorScale())
    results.push_back(assemble.getTensorScale());
  if (assemble.getZeroPoints())
    results.push_back(assemble.getZeroPoints());
  if (assemble.getSelectors())
    results.push_back(assemble.getSelectors());
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::verify() {
  auto lhs = cast<RankedTensorType>(getLhs().getType());
  auto rhs = cast<RankedTensorType>(getRhs().getType());
  auto result = cast<RankedTensorType>(getResult().getType());
  int64_t rank = lhs.getRank();
  if (rank != 2 && rank != 3)
    return emitOpError("operands must have rank 2 (matrices) or 3 (a batch "
                       "of matrices), not ")
           << rank;
  if (rhs.getRank() != rank || result.getRank() != rank)
    return emitOpError("operands and result must have the same rank");
  if (getEncoding(result))
    return emitOpError("result must not have an encoding");
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape(),
                    c = result.getShape();
  auto agree = [](int64_t x, int64_t y) {
    return ShapedType::isDynamic(x) || ShapedType::isDynamic(y) || x == y;
  };
  if (rank == 3 && !(agree(a[0], b[0]) && agree(a[0], c[0])))
    return emitOpError("batch sizes of the operands and result differ");
  int64_t m = rank - 2, k = rank - 1;
  // rhs is K x N, or N x K with transpose_rhs.
  int64_t rhsK = getTransposeRhs() ? k : m, rhsN = getTransposeRhs() ? m : k;
  if (!agree(a[k], b[rhsK]))
    return emitOpError("lhs ")
           << shapeString(a) << " and rhs " << shapeString(b)
           << " disagree on the reduction dimension";
  if (!agree(a[m], c[m]) || !agree(b[rhsN], c[k]))
    return emitOpError("result shape ")
           << shapeString(c) << " is not the product's shape";
  if (failed(verifyValueElement(*this, lhs.getElementType(), "lhs")) ||
      failed(verifyValueElement(*this, rhs.getElementType(), "rhs")) ||
      failed(verifyNotLogarithmic(*this, lhs.getElementType(), "lhs")) ||
      failed(verifyNotLogarithmic(*this, rhs.getElementType(), "rhs")))
    return failure();
  std::optional<ValueFormat> resultFormat =
      getValueFormat(result.getElementType());
  if (!resultFormat ||
      (resultFormat->format && !resultFormat->format->isFloat()))
    return emitOpError("result element type ")
           << result.getElementType()
           << " must be a floating-point number format or f64";
  Type accumulator = getAccumulator();
  if (!accumulator.isF32() && !accumulator.isSignlessInteger(32))
    return emitOpError("accumulator must be f32 or i32, not ") << accumulator;
  if (accumulator.isSignlessInteger(32)) {
    auto isPlainInteger = [](RankedTensorType type) {
      return !getEncoding(type) && isa<IntegerType>(type.getElementType());
    };
    if (!isPlainInteger(lhs) || !isPlainInteger(rhs))
      return emitOpError("an i32 accumulator needs integer operands without "
                         "an encoding");
    // The sum is exact only if no partial sum can leave i32: K times the
    // largest product magnitude must fit.
    int64_t reduction = a[k];
    if (ShapedType::isDynamic(reduction))
      reduction = b[rhsK];
    if (ShapedType::isDynamic(reduction))
      return emitOpError("an i32 accumulator needs a static reduction "
                         "dimension, so that the sum's range is known");
    auto largest = [](Type element) {
      unsigned width = element.getIntOrFloatBitWidth();
      return element.isUnsignedInteger() ? (uint64_t(1) << width) - 1
                                         : uint64_t(1) << (width - 1);
    };
    uint64_t product =
        largest(lhs.getElementType()) * largest(rhs.getElementType());
    if (product != 0 &&
        uint64_t(reduction) >
            uint64_t(std::numeric_limits<int32_t>::max()) / product)
      return emitOpError("an i32 accumulator could overflow: ")
             << reduction << " products of magnitude up to " << product
             << " exceed 2^31 - 1; use {accumulator = f32}, or split K "
                "into matmuls of at most "
             << uint64_t(std::numeric_limits<int32_t>::max()) / product
             << " and add the results";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// RelayoutOp
//===----------------------------------------------------------------------===//

RankedTensorType RelayoutOp::getRelayoutType(RankedTensorType input,
                                             ArrayRef<int64_t> permutation) {
  SmallVector<int64_t> shape;
  for (int64_t d : permutation)
    shape.push_back(input.getDimSize(d));
  auto encoding = getEncoding(input);
  if (!encoding)
    return RankedTensorType::get(shape, input.getElementType());
  SmallVector<int64_t> full = encoding.getFullBlock(input.getRank());
  SmallVector<int64_t> block;
  for (int64_t d : permutation)
    block.push_back(full[d]);
  return RankedTensorType::get(shape, input.getElementType(),
                               encoding.withFullBlock(block));
}

SmallVector<int64_t>
RelayoutOp::getSourceOffsets(ArrayRef<int64_t> shape,
                             ArrayRef<int64_t> permutation) {
  size_t rank = shape.size();
  SmallVector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  int64_t count = 1;
  SmallVector<int64_t> resultShape;
  for (int64_t d : permutation) {
    resultShape.push_back(shape[d]);
    count *= shape[d];
  }
  SmallVector<int64_t> offsets;
  offsets.reserve(count);
  SmallVector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * strides[permutation[d]];
    offsets.push_back(source);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < resultShape[d])
        break;
      index[d] = 0;
    }
  }
  return offsets;
}

void RelayoutOp::build(OpBuilder &builder, OperationState &state, Value input,
                       ArrayRef<int64_t> permutation) {
  build(builder, state,
        getRelayoutType(cast<RankedTensorType>(input.getType()), permutation),
        input, permutation);
}

/// Whether `permutation` holds each of 0 .. rank-1 once.
static bool isPermutation(ArrayRef<int64_t> permutation, int64_t rank) {
  if (int64_t(permutation.size()) != rank)
    return false;
  SmallVector<bool> seen(rank, false);
  for (int64_t d : permutation) {
    if (d < 0 || d >= rank || seen[d])
      return false;
    seen[d] = true;
  }
  return true;
}

LogicalResult RelayoutOp::verify() {
  auto input = cast<RankedTensorType>(getInput().getType());
  auto result = cast<RankedTensorType>(getType());
  ArrayRef<int64_t> permutation = getPermutation();
  if (!isPermutation(permutation, input.getRank()))
    return emitOpError("permutation [")
           << llvm::make_range(permutation.begin(), permutation.end())
           << "] is not a permutation of the input's " << input.getRank()
           << " dimensions";
  RankedTensorType expected = getRelayoutType(input, permutation);
  auto resultEncoding = getEncoding(result);
  auto expectedEncoding = getEncoding(expected);
  // Encodings agree when they block every dimension alike: [1, 32] and
  // [32] are the same blocks.
  bool encodingsAgree =
      (bool)resultEncoding == (bool)expectedEncoding &&
      (!resultEncoding ||
       (resultEncoding.getFullBlock(result.getRank()) ==
            expectedEncoding.getFullBlock(result.getRank()) &&
        resultEncoding.getScaleType() == expectedEncoding.getScaleType() &&
        resultEncoding.getRule() == expectedEncoding.getRule() &&
        resultEncoding.getTensorScaleType() ==
            expectedEncoding.getTensorScaleType() &&
        resultEncoding.getZeroPointType() ==
            expectedEncoding.getZeroPointType()));
  if (result.getShape() != expected.getShape() ||
      result.getElementType() != expected.getElementType() || !encodingsAgree)
    return emitOpError("result must be ")
           << expected << " (the input's dimensions and blocks permuted), not "
           << result;
  return success();
}

OpFoldResult RelayoutOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> permutation = getPermutation();
  bool identity = true;
  for (size_t d = 0; d < permutation.size(); ++d)
    identity &= permutation[d] == int64_t(d);
  if (identity && getInput().getType() == getType())
    return getInput();
  // relayout(relayout(x, p), q) is x when q undoes p.
  if (auto inner = getInput().getDefiningOp<RelayoutOp>()) {
    ArrayRef<int64_t> first = inner.getPermutation();
    bool undoes = true;
    for (size_t d = 0; d < permutation.size(); ++d)
      undoes &= first[permutation[d]] == int64_t(d);
    if (undoes && inner.getInput().getType() == getType())
      return inner.getInput();
  }
  return {};
}

namespace {
/// A constant part in the order of `permutation`; null if it is not a
/// constant of every element.
Value permuteConstant(PatternRewriter &rewriter, Location loc, Value part,
                      ArrayRef<int64_t> permutation) {
  Attribute attr;
  auto type = dyn_cast<RankedTensorType>(part.getType());
  if (!type || !type.hasStaticShape() || !matchPattern(part, m_Constant(&attr)))
    return {};
  std::optional<SmallVector<uint64_t>> codes = getCodes(attr);
  RankedTensorType permutedType =
      RelayoutOp::getRelayoutType(type, permutation);
  // A splat is the same splat in any order.
  if (codes && codes->size() == 1 && type.getNumElements() != 1)
    return arith::ConstantOp::create(
        rewriter, loc, cast<TypedAttr>(makeConstant(permutedType, *codes)));
  if (!codes || int64_t(codes->size()) != type.getNumElements())
    return {};
  SmallVector<uint64_t> permutedCodes;
  for (int64_t source :
       RelayoutOp::getSourceOffsets(type.getShape(), permutation))
    permutedCodes.push_back((*codes)[source]);
  Attribute permuted = makeConstant(permutedType, permutedCodes);
  if (!permuted)
    return {};
  return arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(permuted));
}

/// relayout(constant) and relayout(assemble(constant parts)) become the
/// constants in their new order: constant weights are laid out at compile
/// time.
struct FoldConstantRelayout : OpRewritePattern<RelayoutOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RelayoutOp op,
                                PatternRewriter &rewriter) const override {
    ArrayRef<int64_t> permutation = op.getPermutation();
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    if (!getEncoding(type)) {
      Value permuted =
          permuteConstant(rewriter, loc, op.getInput(), permutation);
      if (!permuted)
        return failure();
      rewriter.replaceOp(op, permuted);
      return success();
    }
    auto assemble = op.getInput().getDefiningOp<AssembleOp>();
    if (!assemble)
      return failure();
    Value elements =
        permuteConstant(rewriter, loc, assemble.getElements(), permutation);
    Value scales =
        permuteConstant(rewriter, loc, assemble.getScales(), permutation);
    Value zeroPoints, selectors;
    if (assemble.getZeroPoints())
      zeroPoints =
          permuteConstant(rewriter, loc, assemble.getZeroPoints(), permutation);
    if (assemble.getSelectors())
      selectors =
          permuteConstant(rewriter, loc, assemble.getSelectors(), permutation);
    if (!elements || !scales || (assemble.getZeroPoints() && !zeroPoints) ||
        (assemble.getSelectors() && !selectors))
      return failure();
    rewriter.replaceOpWithNewOp<AssembleOp>(op, type, elements, scales,
                                            assemble.getTensorScale(),
                                            zeroPoints, selectors);
    return success();
  }
};
} // namespace

void RelayoutOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<FoldConstantRelayout>(context);
}

//===----------------------------------------------------------------------===//
// PackOp / UnpackOp
//===----------------------------------------------------------------------===//

/// The checks shared by pack and unpack: `unpacked` holds elements of a
/// format of 1..7 bits, `packed` i8 bytes, equal but for the innermost
/// dimension, which is ceil(n * w / 8) bytes.
static LogicalResult verifyPacking(Operation *op, RankedTensorType unpacked,
                                   RankedTensorType packed) {
  if (getEncoding(unpacked) || getEncoding(packed))
    return op->emitOpError("packs tensors without an encoding; pack a "
                           "block-scaled tensor's parts");
  std::optional<Format> format = getNumericFormat(unpacked.getElementType());
  if (!format || format->getBitWidth() >= 8)
    return op->emitOpError("element type ")
           << unpacked.getElementType()
           << " is not a number format narrower than 8 bits";
  if (!packed.getElementType().isSignlessInteger(8))
    return op->emitOpError("packed bytes must be i8, not ")
           << packed.getElementType();
  if (unpacked.getRank() == 0 || unpacked.getRank() != packed.getRank())
    return op->emitOpError("packed and unpacked tensors must have the same "
                           "rank of at least 1");
  ArrayRef<int64_t> u = unpacked.getShape(), p = packed.getShape();
  for (int64_t d = 0; d + 1 < unpacked.getRank(); ++d)
    if (!ShapedType::isDynamic(u[d]) && !ShapedType::isDynamic(p[d]) &&
        u[d] != p[d])
      return op->emitOpError("packed shape ")
             << shapeString(p) << " and unpacked shape " << shapeString(u)
             << " differ outside the innermost dimension";
  if (ShapedType::isDynamic(u.back()) || ShapedType::isDynamic(p.back()))
    return op->emitOpError("the innermost dimension must be static");
  int64_t bytes = (u.back() * format->getBitWidth() + 7) / 8;
  if (p.back() != bytes)
    return op->emitOpError("a row of ")
           << u.back() << " elements of " << format->getBitWidth()
           << " bits packs into " << bytes << " bytes, not " << p.back();
  return success();
}

LogicalResult PackOp::verify() {
  return verifyPacking(*this, cast<RankedTensorType>(getInput().getType()),
                       cast<RankedTensorType>(getType()));
}

LogicalResult UnpackOp::verify() {
  return verifyPacking(*this, cast<RankedTensorType>(getType()),
                       cast<RankedTensorType>(getInput().getType()));
}

//===----------------------------------------------------------------------===//
// lowp.lookup
//===----------------------------------------------------------------------===//

LogicalResult HadamardOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  if (!type.getElementType().isF32())
    return emitOpError("element type ")
           << type.getElementType()
           << " is not f32 (convert other formats to f32 first)";
  if (type.getEncoding())
    return emitOpError("type ") << type << " must have no encoding";
  int64_t axis = getAxis(), block = getBlock();
  if (axis < 0 || axis >= type.getRank())
    return emitOpError("axis ") << axis << " is not a dimension of " << type;
  if (block < 2 || block > 1024 || !llvm::isPowerOf2_64(uint64_t(block)))
    return emitOpError("block ")
           << block << " is not a power of two from 2 to 1024";
  if (type.isDynamicDim(axis) || type.getDimSize(axis) % block != 0)
    return emitOpError("dimension ")
           << axis << " of " << type << " is not a multiple of the block "
           << block;
  return success();
}

/// A constant's transform, as numerics::hadamardBlock computes it (the
/// weights a recipe transforms before quantizing them), up to
/// kMaxFoldedElements elements.
OpFoldResult HadamardOp::fold(FoldAdaptor adaptor) {
  auto dense = dyn_cast_if_present<DenseFPElementsAttr>(adaptor.getInput());
  auto type = cast<RankedTensorType>(getType());
  if (!dense || dense.getNumElements() > kMaxFoldedElements)
    return {};
  std::vector<float> values;
  values.reserve(dense.getNumElements());
  for (const APFloat &value : dense.getValues<APFloat>())
    values.push_back(value.convertToFloat());
  SmallVector<float> signs = getSigns();
  numerics::hadamardTensor(values.data(), type.getShape().data(),
                           type.getRank(), int64_t(getAxis()),
                           int64_t(getBlock()), signs.data());
  return DenseElementsAttr::get(type, ArrayRef<float>(values));
}

SmallVector<float> HadamardOp::getSigns() {
  int64_t block = int64_t(getBlock());
  SmallVector<float> signs(block, 1.0f);
  if (std::optional<int64_t> seed = getSeed())
    for (int64_t j = 0; j < block; ++j)
      if (numerics::randomBits(uint64_t(*seed), 0, uint64_t(j)) & 1)
        signs[j] = -1.0f;
  return signs;
}

LogicalResult RandomBitsOp::verify() {
  auto type = cast<RankedTensorType>(getType());
  auto element = dyn_cast<IntegerType>(type.getElementType());
  if (!element || !llvm::is_contained({8u, 16u, 32u}, element.getWidth()))
    return emitOpError("result element type ")
           << type.getElementType()
           << " is not an integer of 8, 16 or 32 bits (the random bits of "
              "each element)";
  if (!type.hasStaticShape())
    return emitOpError("result type ") << type << " must have a static shape";
  if (type.getEncoding())
    return emitOpError("result type ") << type << " must have no encoding";
  return success();
}

LogicalResult LookupOp::verify() {
  // C1
  int64_t length = getTable().getType().getNumElements();
  if (!llvm::isPowerOf2_64(length))
    return emitOpError("table length ") << length << " is not a power of two";
  return success();
}
