//===- LowpTypes.cpp - lowp number format types ---------------------------===//

#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lowp;
using namespace lowp::numerics;

#include "lowp/Dialect/Lowp/IR/LowpTypeInterfaces.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpTypes.cpp.inc"

void LowpDialect::registerTypes() {
  addTypes<
#define GET_TYPEDEF_LIST
#include "lowp/Dialect/Lowp/IR/LowpTypes.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// MinifloatType
//===----------------------------------------------------------------------===//

/// Reads "e<E>m<M>"; false when `spelling` is not of that form.
static bool parseWidths(StringRef spelling, unsigned &exponentBits,
                        unsigned &mantissaBits) {
  if (!spelling.consume_front("e"))
    return false;
  size_t m = spelling.find('m');
  if (m == StringRef::npos)
    return false;
  return !spelling.substr(0, m).getAsInteger(10, exponentBits) &&
         !spelling.substr(m + 1).getAsInteger(10, mantissaBits);
}

Type MinifloatType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  StringRef widths;
  unsigned exponentBits = 0, mantissaBits = 0;
  if (parser.parseLess())
    return {};
  if (parser.parseKeyword(&widths) ||
      !parseWidths(widths, exponentBits, mantissaBits)) {
    parser.emitError(loc, "expected the widths as 'e<E>m<M>', like e3m3");
    return {};
  }
  int bias = exponentBits >= 1 && exponentBits <= 8
                 ? FloatFormat::defaultBias(exponentBits)
                 : 0;
  bool isSigned = true;
  SpecialValues specials = SpecialValues::IEEE;
  while (succeeded(parser.parseOptionalComma())) {
    SMLoc keyLoc = parser.getCurrentLocation();
    StringRef key;
    if (parser.parseKeyword(&key))
      return {};
    if (key == "bias") {
      if (parser.parseEqual() || parser.parseInteger(bias))
        return {};
    } else if (key == "signed" || key == "unsigned") {
      isSigned = key == "signed";
    } else if (std::optional<SpecialValues> family =
                   symbolizeSpecialValues(key.str())) {
      specials = *family;
    } else {
      parser.emitError(keyLoc,
                       "expected 'bias = N', 'signed', 'unsigned' or a "
                       "special-value family (ieee, fn, fnuz, finite, e8m0), "
                       "got '")
          << key << "'";
      return {};
    }
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, parser.getContext(),
                    exponentBits, mantissaBits, bias, isSigned, specials);
}

void MinifloatType::print(AsmPrinter &printer) const {
  printer << "<e" << getExponentBits() << "m" << getMantissaBits();
  if (getBias() != FloatFormat::defaultBias(getExponentBits()))
    printer << ", bias = " << getBias();
  if (!getIsSigned())
    printer << ", unsigned";
  if (getSpecials() != SpecialValues::IEEE)
    printer << ", " << stringifySpecialValues(getSpecials());
  printer << ">";
}

LogicalResult
MinifloatType::verify(function_ref<InFlightDiagnostic()> emitError,
                      unsigned exponentBits, unsigned mantissaBits, int bias,
                      bool isSigned, SpecialValues specials) {
  FloatFormat params{exponentBits, mantissaBits, bias, isSigned, specials};
  std::string message = Format::verifyFloat(params);
  if (!message.empty())
    return emitError() << message;
  for (const std::string &name : getBuiltinFloatFormatNames())
    if (*getBuiltinFloatFormat(name) == params)
      return emitError() << "this format is the builtin type '" << name
                         << "'; use it instead";
  return success();
}

std::optional<Format> MinifloatType::getNumericFormat() const {
  return Format::tryMakeFloat(getFloatFormat(), nullptr);
}

//===----------------------------------------------------------------------===//
// CodebookType
//===----------------------------------------------------------------------===//

/// The NormalFloat-4 table of QLoRA (bitsandbytes), as its f32 values.
static const double nf4Values[] = {
    -1.0,
    -0.6961928009986877,
    -0.5250730514526367,
    -0.39491748809814453,
    -0.28444138169288635,
    -0.18477343022823334,
    -0.09105003625154495,
    0.0,
    0.07958029955625534,
    0.16093020141124725,
    0.24611230194568634,
    0.33791524171829224,
    0.44070982933044434,
    0.5626170039176941,
    0.7229568362236023,
    1.0,
};

static bool isNF4(unsigned bits, ArrayRef<double> values) {
  return bits == 4 && values == ArrayRef<double>(nf4Values);
}

/// A float literal that MLIR's lexer reads back exactly.
static std::string printFloatLiteral(double value) {
  std::string text = formatValue(value);
  if (text.find('.') == std::string::npos) {
    size_t exponent = text.find('e');
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

Type CodebookType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  MLIRContext *context = parser.getContext();
  if (parser.parseLess())
    return {};
  StringRef preset;
  if (succeeded(parser.parseOptionalKeyword(&preset))) {
    if (preset != "nf4") {
      parser.emitError(loc, "unknown codebook preset '")
          << preset << "'; expected 'nf4' or '<bits>, [values]'";
      return {};
    }
    if (parser.parseGreater())
      return {};
    return get(context, 4,
               DenseF64ArrayAttr::get(context, ArrayRef<double>(nf4Values)));
  }
  unsigned bits = 0;
  SmallVector<double> values;
  if (parser.parseInteger(bits) || parser.parseComma() ||
      parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Square,
          [&] { return parser.parseFloat(values.emplace_back()); }) ||
      parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(loc); }, context, bits,
                    DenseF64ArrayAttr::get(context, values));
}

void CodebookType::print(AsmPrinter &printer) const {
  ArrayRef<double> values = getValues().asArrayRef();
  if (isNF4(getBits(), values)) {
    printer << "<nf4>";
    return;
  }
  printer << "<" << getBits() << ", [";
  llvm::interleaveComma(values, printer, [&](double value) {
    printer << printFloatLiteral(value);
  });
  printer << "]>";
}

LogicalResult CodebookType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   unsigned bits, DenseF64ArrayAttr values) {
  if (!values)
    return emitError() << "codebook needs a table of values";
  std::string message = Format::verifyCodebook(
      bits, std::vector<double>(values.asArrayRef().begin(),
                                values.asArrayRef().end()));
  if (!message.empty())
    return emitError() << message;
  return success();
}

std::optional<Format> CodebookType::getNumericFormat() const {
  ArrayRef<double> values = getValues().asArrayRef();
  return Format::tryMakeCodebook(
      getBits(), std::vector<double>(values.begin(), values.end()), nullptr);
}

//===----------------------------------------------------------------------===//
// PositType and HiFloat8Type
//===----------------------------------------------------------------------===//

Type PositType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  int64_t width = 0, exponentBits = 0;
  if (parser.parseLess())
    return {};
  OptionalParseResult widthParsed = parser.parseOptionalInteger(width);
  if (!widthParsed.has_value() || failed(*widthParsed) ||
      failed(parser.parseOptionalComma())) {
    parser.emitError(loc, "expected '!lowp.posit<n, es>': the width n "
                          "(2..32) and the exponent size es (0..4)");
    return {};
  }
  OptionalParseResult esParsed = parser.parseOptionalInteger(exponentBits);
  if (!esParsed.has_value() || failed(*esParsed)) {
    parser.emitError(loc, "expected '!lowp.posit<n, es>': the width n "
                          "(2..32) and the exponent size es (0..4)");
    return {};
  }
  if (parser.parseGreater())
    return {};
  // Checked as written (int64), so that -3 is out of range rather than
  // wrapped around into an unsigned parameter.
  std::string message = Format::verifyPosit(width, exponentBits);
  if (!message.empty()) {
    parser.emitError(loc, message);
    return {};
  }
  return get(parser.getContext(), unsigned(width), unsigned(exponentBits));
}

void PositType::print(AsmPrinter &printer) const {
  printer << "<" << getWidth() << ", " << getExponentBits() << ">";
}

LogicalResult PositType::verify(function_ref<InFlightDiagnostic()> emitError,
                                unsigned width, unsigned exponentBits) {
  std::string message = Format::verifyPosit(width, exponentBits);
  if (!message.empty())
    return emitError() << message;
  return success();
}

std::optional<Format> PositType::getNumericFormat() const {
  return Format::tryMakePosit(getWidth(), getExponentBits(), nullptr);
}

Type HiFloat8Type::parse(AsmParser &parser) {
  if (succeeded(parser.parseOptionalLess())) {
    parser.emitError(parser.getCurrentLocation(),
                     "!lowp.hif8 takes no parameters");
    return {};
  }
  return get(parser.getContext());
}

void HiFloat8Type::print(AsmPrinter &) const {}

std::optional<Format> HiFloat8Type::getNumericFormat() const {
  return Format::makeHiFloat8();
}

Type LogarithmicType::parse(AsmParser &parser) {
  SMLoc loc = parser.getCurrentLocation();
  int64_t integerBits = 0, fractionBits = 0;
  if (parser.parseLess())
    return {};
  OptionalParseResult first = parser.parseOptionalInteger(integerBits);
  OptionalParseResult second;
  if (first.has_value() && succeeded(*first) &&
      succeeded(parser.parseOptionalComma()))
    second = parser.parseOptionalInteger(fractionBits);
  if (!second.has_value() || failed(*second)) {
    parser.emitError(loc, "expected '!lowp.lns<I, F>': the logarithm's "
                          "integer bits I (1..8) and fraction bits F (0..10)");
    return {};
  }
  if (parser.parseGreater())
    return {};
  // Checked as written (int64), as for posits.
  std::string message = Format::verifyLogarithmic(integerBits, fractionBits);
  if (!message.empty()) {
    parser.emitError(loc, message);
    return {};
  }
  return get(parser.getContext(), unsigned(integerBits),
             unsigned(fractionBits));
}

void LogarithmicType::print(AsmPrinter &printer) const {
  printer << "<" << getIntegerBits() << ", " << getFractionBits() << ">";
}

LogicalResult
LogarithmicType::verify(function_ref<InFlightDiagnostic()> emitError,
                        unsigned integerBits, unsigned fractionBits) {
  std::string message = Format::verifyLogarithmic(integerBits, fractionBits);
  if (!message.empty())
    return emitError() << message;
  return success();
}

std::optional<Format> LogarithmicType::getNumericFormat() const {
  return Format::tryMakeLogarithmic(getIntegerBits(), getFractionBits(),
                                    nullptr);
}

//===----------------------------------------------------------------------===//
// Builtin types
//===----------------------------------------------------------------------===//

namespace {
/// Builtin float types: their MLIR spelling names their format.
template <typename T>
struct BuiltinFloatFormatModel
    : public NumericFormatTypeInterface::ExternalModel<
          BuiltinFloatFormatModel<T>, T> {
  std::optional<Format> getNumericFormat(Type type) const {
    std::string spelling;
    llvm::raw_string_ostream os(spelling);
    type.print(os);
    std::optional<FloatFormat> params = getBuiltinFloatFormat(os.str());
    if (!params)
      return std::nullopt;
    return Format::tryMakeFloat(*params, nullptr);
  }
};

/// Integers of 1..32 bits; signless integers read as two's complement.
struct IntegerFormatModel
    : public NumericFormatTypeInterface::ExternalModel<IntegerFormatModel,
                                                       IntegerType> {
  std::optional<Format> getNumericFormat(Type type) const {
    auto integer = cast<IntegerType>(type);
    return Format::tryMakeInteger(integer.getWidth(), !integer.isUnsigned(),
                                  nullptr);
  }
};

template <typename... Ts> void attachFloatModels(MLIRContext &context) {
  (Ts::template attachInterface<BuiltinFloatFormatModel<Ts>>(context), ...);
}
} // namespace

void lowp::attachBuiltinNumericFormatModels(MLIRContext &context) {
  attachFloatModels<Float4E2M1FNType, Float6E2M3FNType, Float6E3M2FNType,
                    Float8E3M4Type, Float8E4M3Type, Float8E4M3FNType,
                    Float8E4M3FNUZType, Float8E4M3B11FNUZType, Float8E5M2Type,
                    Float8E5M2FNUZType, Float8E8M0FNUType, Float16Type,
                    BFloat16Type, FloatTF32Type, Float32Type>(context);
  IntegerType::attachInterface<IntegerFormatModel>(context);
}

std::optional<Format> lowp::getNumericFormat(Type type) {
  // The parser verifies an encoding before it knows a malformed element
  // type (found by lowp-fuzz-ir): null is no format.
  if (!type)
    return std::nullopt;
  if (auto format = dyn_cast<NumericFormatTypeInterface>(type))
    return format.getNumericFormat();
  return std::nullopt;
}

std::optional<numerics::Format>
lowp::parseNumericFormat(MLIRContext &context, const std::string &text,
                         std::string &error) {
  std::string diagnostic;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diagnostic.empty())
      diagnostic = diag.str();
    return success();
  });
  size_t consumed = 0;
  Type type = parseType(text, &context, &consumed);
  if (!type) {
    error = "'" + text + "' is not a format: " +
            (diagnostic.empty() ? std::string("cannot parse it as a type")
                                : diagnostic);
    return std::nullopt;
  }
  if (consumed != text.size()) {
    error = "'" + text + "' is not a format: unexpected '" +
            text.substr(consumed) + "' after the type";
    return std::nullopt;
  }
  std::optional<numerics::Format> format = getNumericFormat(type);
  if (!format)
    error = "'" + text + "' is not a number format lowp supports";
  return format;
}
