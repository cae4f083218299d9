//===- LowpAttrs.cpp - lowp attributes ------------------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpAttrs.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

#define GET_ATTRDEF_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpAttrs.cpp.inc"

void LowpDialect::registerAttributes() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "lowp/Dialect/Lowp/IR/LowpAttrs.cpp.inc"
      >();
}

namespace {
/// A named block-scaling scheme with a short printed form.
struct Preset {
  const char *name;
  int64_t block;
  Type (*scaleType)(MLIRContext *);
  ScaleRule rule;
  Type (*tensorScaleType)(MLIRContext *);
  Type (*zeroPointType)(MLIRContext *);
};

Type noType(MLIRContext *) { return {}; }

const Preset presets[] = {
    {"mx", 32, [](MLIRContext *c) -> Type { return Float8E8M0FNUType::get(c); },
     ScaleRule::Floor, noType, noType},
    {"nvfp4", 16,
     [](MLIRContext *c) -> Type { return Float8E4M3FNType::get(c); },
     ScaleRule::NVFP4,
     [](MLIRContext *c) -> Type { return Float32Type::get(c); }, noType},
    {"int4_g128", 128,
     [](MLIRContext *c) -> Type { return Float16Type::get(c); },
     ScaleRule::MinMax, noType,
     [](MLIRContext *c) -> Type {
       return IntegerType::get(c, 4, IntegerType::Unsigned);
     }},
};

BlockScaledEncodingAttr getPreset(MLIRContext *context, const Preset &preset) {
  return BlockScaledEncodingAttr::get(context, ArrayRef<int64_t>{preset.block},
                                      preset.scaleType(context), preset.rule,
                                      preset.tensorScaleType(context),
                                      preset.zeroPointType(context));
}
} // namespace

Attribute BlockScaledEncodingAttr::parse(AsmParser &parser, Type) {
  SMLoc loc = parser.getCurrentLocation();
  MLIRContext *context = parser.getContext();
  if (parser.parseLess())
    return {};

  // The short form: a preset's name alone.
  StringRef firstKey;
  SMLoc keyLoc = parser.getCurrentLocation();
  if (parser.parseKeyword(&firstKey))
    return {};
  if (succeeded(parser.parseOptionalGreater())) {
    for (const Preset &preset : presets)
      if (firstKey == preset.name)
        return getPreset(context, preset);
    parser.emitError(keyLoc, "unknown block-scaling preset '")
        << firstKey << "'; expected mx, nvfp4 or int4_g128";
    return {};
  }

  SmallVector<int64_t> block;
  SmallVector<Type> choices;
  Type scaleType, tensorScaleType, zeroPointType;
  std::optional<ScaleRule> rule;
  llvm::StringSet<> seen;
  StringRef key = firstKey;
  while (true) {
    if (!seen.insert(key).second) {
      parser.emitError(keyLoc, "'") << key << "' is given twice";
      return {};
    }
    if (parser.parseEqual())
      return {};
    if (key == "block") {
      if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
            return parser.parseInteger(block.emplace_back());
          }))
        return {};
    } else if (key == "scale") {
      if (parser.parseType(scaleType))
        return {};
    } else if (key == "tensor_scale") {
      if (parser.parseType(tensorScaleType))
        return {};
    } else if (key == "zero_point") {
      if (parser.parseType(zeroPointType))
        return {};
    } else if (key == "choices") {
      if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, [&] {
            return parser.parseType(choices.emplace_back());
          }))
        return {};
    } else if (key == "rule") {
      StringRef name;
      SMLoc ruleLoc = parser.getCurrentLocation();
      if (parser.parseKeyword(&name))
        return {};
      rule = symbolizeScaleRule(name.str());
      if (!rule) {
        parser.emitError(ruleLoc, "unknown scale rule '")
            << name << "'; expected floor, rceil, nvfp4, absmax or minmax";
        return {};
      }
    } else {
      parser.emitError(keyLoc, "unknown key '")
          << key
          << "'; expected block, scale, rule, tensor_scale, zero_point or "
             "choices";
      return {};
    }
    if (failed(parser.parseOptionalComma()))
      break;
    keyLoc = parser.getCurrentLocation();
    if (parser.parseKeyword(&key))
      return {};
  }
  if (parser.parseGreater())
    return {};
  for (const char *required : {"block", "scale", "rule"})
    if (!seen.contains(required)) {
      parser.emitError(loc, "block_scaled encoding needs '") << required << "'";
      return {};
    }
  return getChecked([&] { return parser.emitError(loc); }, context, block,
                    scaleType, *rule, tensorScaleType, zeroPointType, choices);
}

void BlockScaledEncodingAttr::print(AsmPrinter &printer) const {
  for (const Preset &preset : presets)
    if (*this == getPreset(getContext(), preset)) {
      printer << "<" << preset.name << ">";
      return;
    }
  printer << "<block = [";
  llvm::interleaveComma(getBlock(), printer);
  printer << "], scale = " << getScaleType()
          << ", rule = " << stringifyScaleRule(getRule());
  if (getTensorScaleType())
    printer << ", tensor_scale = " << getTensorScaleType();
  if (getZeroPointType())
    printer << ", zero_point = " << getZeroPointType();
  if (hasChoices()) {
    printer << ", choices = [";
    llvm::interleaveComma(getChoices(), printer);
    printer << "]";
  }
  printer << ">";
}

/// The format of a part of the encoding, or an error naming the part.
static FailureOr<std::optional<Format>>
partFormat(function_ref<InFlightDiagnostic()> emitError, Type type,
           StringRef part) {
  if (!type)
    return std::optional<Format>();
  std::optional<Format> format = getNumericFormat(type);
  if (!format)
    return emitError() << part << " type " << type
                       << " is not a number format lowp supports";
  return format;
}

LogicalResult
BlockScaledEncodingAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                ArrayRef<int64_t> block, Type scaleType,
                                ScaleRule rule, Type tensorScaleType,
                                Type zeroPointType, ArrayRef<Type> choices) {
  if (block.empty())
    return emitError() << "block shape must name at least one dimension";
  for (int64_t size : block)
    if (size < 1)
      return emitError() << "block size " << size << " is not positive";
  FailureOr<std::optional<Format>> scale =
      partFormat(emitError, scaleType, "scale");
  FailureOr<std::optional<Format>> tensorScale =
      partFormat(emitError, tensorScaleType, "tensor_scale");
  FailureOr<std::optional<Format>> zeroPoint =
      partFormat(emitError, zeroPointType, "zero_point");
  if (failed(scale) || failed(tensorScale) || failed(zeroPoint))
    return failure();
  std::string message =
      BlockScaling::verifyParts(**scale, rule, *tensorScale, *zeroPoint);
  if (!message.empty())
    return emitError() << message;
  if (choices.empty())
    return success();
  std::vector<Format> choiceFormats;
  for (Type choice : choices) {
    FailureOr<std::optional<Format>> format =
        partFormat(emitError, choice, "choice");
    if (failed(format))
      return failure();
    choiceFormats.push_back(**format);
  }
  message = BlockScaling::verifyChoices(choiceFormats, rule);
  if (!message.empty())
    return emitError() << message;
  return success();
}

LogicalResult BlockScaledEncodingAttr::verifyEncoding(
    ArrayRef<int64_t> shape, Type elementType,
    function_ref<InFlightDiagnostic()> emitError) const {
  // A malformed element type has its own error already.
  if (!elementType)
    return failure();
  std::optional<Format> element = getNumericFormat(elementType);
  if (!element)
    return emitError() << "element type " << elementType
                       << " of a block-scaled tensor is not a number format "
                          "lowp supports";
  std::string message;
  if (hasChoices()) {
    // The elements are codes of the choices' width; only a block's
    // selector gives them a value.
    unsigned width = getNumericFormat(getChoices().front())->getBitWidth();
    auto integer = dyn_cast<IntegerType>(elementType);
    if (!integer || !integer.isUnsigned() || integer.getWidth() != width)
      return emitError() << "element type of a block-scaled tensor with "
                            "choices must be ui"
                         << width << ", the codes of its " << width
                         << "-bit choices, not " << elementType;
  } else {
    message = BlockScaling::verifyElement(*element, getRule());
  }
  if (message.empty())
    message = verifyBlockShape(
        std::vector<int64_t>(shape.begin(), shape.end()),
        std::vector<int64_t>(getBlock().begin(), getBlock().end()));
  if (!message.empty())
    return emitError() << message;
  return success();
}

BlockScaling BlockScaledEncodingAttr::getScaling(Type elementType) const {
  auto optionalFormat = [](Type type) -> std::optional<Format> {
    if (!type)
      return std::nullopt;
    return getNumericFormat(type);
  };
  BlockScaling scaling{*getNumericFormat(elementType),
                       *getNumericFormat(getScaleType()), getRule(),
                       optionalFormat(getTensorScaleType()),
                       optionalFormat(getZeroPointType())};
  for (Type choice : getChoices())
    scaling.choices.push_back(*getNumericFormat(choice));
  return scaling;
}

Type BlockScaledEncodingAttr::getSelectorType() const {
  if (!hasChoices())
    return {};
  return IntegerType::get(getContext(),
                          BlockScaling::selectorBits(getChoices().size()),
                          IntegerType::Unsigned);
}

SmallVector<int64_t>
BlockScaledEncodingAttr::getFullBlock(unsigned rank) const {
  SmallVector<int64_t> full(rank, 1);
  ArrayRef<int64_t> block = getBlock();
  for (size_t i = 0; i < block.size() && i < rank; ++i)
    full[rank - block.size() + i] = block[i];
  return full;
}

BlockScaledEncodingAttr
BlockScaledEncodingAttr::withFullBlock(ArrayRef<int64_t> fullBlock) const {
  ArrayRef<int64_t> trailing(fullBlock);
  while (trailing.size() > 1 && trailing.front() == 1)
    trailing = trailing.drop_front();
  return get(getContext(), trailing, getScaleType(), getRule(),
             getTensorScaleType(), getZeroPointType(), getChoices());
}

SmallVector<int64_t>
BlockScaledEncodingAttr::getScaleShape(ArrayRef<int64_t> shape) const {
  SmallVector<int64_t> full = getFullBlock(shape.size());
  SmallVector<int64_t> scaleShape(shape);
  for (size_t i = 0; i < shape.size(); ++i)
    if (!ShapedType::isDynamic(shape[i]))
      scaleShape[i] = shape[i] / full[i];
  return scaleShape;
}
