//===- Presets.cpp - Block-scaled encodings by the names users write ------===//

#include "lowp/Dialect/Lowp/IR/Presets.h"

#include "lowp/Dialect/Lowp/IR/LowpTypes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lowp;

static llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

namespace {
struct Preset {
  const char *name, *elementType, *encoding;
};
const Preset presets[] = {
    {"mxfp4", "f4E2M1FN", "#lowp.block_scaled<mx>"},
    {"mxfp6_e2m3", "f6E2M3FN", "#lowp.block_scaled<mx>"},
    {"mxfp6_e3m2", "f6E3M2FN", "#lowp.block_scaled<mx>"},
    {"mxfp8_e4m3", "f8E4M3FN", "#lowp.block_scaled<mx>"},
    {"mxfp8_e5m2", "f8E5M2", "#lowp.block_scaled<mx>"},
    {"mxint8", "i8", "#lowp.block_scaled<mx>"},
    {"nvfp4", "f4E2M1FN", "#lowp.block_scaled<nvfp4>"},
    {"int4_g128", "ui4", "#lowp.block_scaled<int4_g128>"},
    // bitsandbytes' NF4: blocks of 64 with an absmax scale.
    {"nf4", "!lowp.codebook<nf4>",
     "#lowp.block_scaled<block = [64], scale = f32, rule = absmax>"},
};
} // namespace

const std::vector<std::string> &lowp::getQuantizationPresetNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> all;
    for (const Preset &preset : presets)
      all.push_back(preset.name);
    return all;
  }();
  return names;
}

std::vector<int64_t> BlockEncoding::getBlock(unsigned rank) const {
  SmallVector<int64_t> full = encoding.getFullBlock(rank);
  return std::vector<int64_t>(full.begin(), full.end());
}

std::string BlockEncoding::getTensorTypeText(ArrayRef<int64_t> shape) const {
  std::string text;
  llvm::raw_string_ostream os(text);
  RankedTensorType::get(shape, elementType, encoding).print(os);
  return text;
}

llvm::Expected<BlockEncoding>
lowp::parseBlockEncoding(MLIRContext &context, llvm::StringRef text,
                         llvm::StringRef elementType, unsigned rank, int axis) {
  // The first diagnostic of a failed parse or verification, for the
  // message.
  std::string diagnostic;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    if (diagnostic.empty())
      diagnostic = diag.str();
    return success();
  });
  auto withDiagnostic = [&](const std::string &message) {
    return makeError(diagnostic.empty() ? message
                                        : message + ": " + diagnostic);
  };
  std::string elementText = elementType.trim().str();
  std::string encodingText = text.trim().str();
  bool isPreset = false;
  for (const Preset &preset : presets)
    if (encodingText == preset.name) {
      if (!elementText.empty())
        return makeError("the preset '" + encodingText +
                         "' names its element format; element " + elementText +
                         " cannot be given too");
      elementText = preset.elementType;
      encodingText = preset.encoding;
      isPreset = true;
    }
  if (!isPreset && !llvm::StringRef(encodingText).starts_with("#")) {
    // "ELEMENT, #lowp.block_scaled<...>", a tensor type's tail.
    size_t comma = encodingText.find(",");
    if (comma == std::string::npos || !elementText.empty()) {
      std::string names;
      for (const Preset &preset : presets)
        names += std::string(names.empty() ? "" : ", ") + preset.name;
      return makeError("'" + text +
                       "' is not an encoding: expected a preset (" + names +
                       "), '#lowp.block_scaled<...>' with an element "
                       "format, or 'ELEMENT, #lowp.block_scaled<...>'");
    }
    elementText = llvm::StringRef(encodingText.substr(0, comma)).trim().str();
    encodingText = llvm::StringRef(encodingText.substr(comma + 1)).trim().str();
  }
  if (elementText.empty())
    return makeError("'" + text +
                     "' needs an element format (say element=\"f4E2M1FN\")");
  size_t consumed = 0;
  Type element = parseType(elementText, &context, &consumed);
  if (!element || consumed != elementText.size())
    return withDiagnostic("'" + elementText + "' is not an element type");
  if (!getNumericFormat(element))
    return makeError("'" + elementText +
                     "' is not a number format lowp supports");
  Attribute attr = parseAttribute(encodingText, &context, Type(), &consumed);
  if (!attr || consumed != encodingText.size())
    return withDiagnostic("'" + encodingText + "' is not an attribute");
  auto encoding = dyn_cast<BlockScaledEncodingAttr>(attr);
  if (!encoding)
    return makeError("'" + encodingText +
                     "' is not a #lowp.block_scaled encoding");
  if (rank == 0)
    return makeError("block scaling needs a tensor of rank 1 or more");
  if (axis < -int(rank) || axis >= int(rank))
    return makeError("axis " + llvm::Twine(axis) +
                     " is out of range for a tensor of rank " +
                     llvm::Twine(rank));
  if (axis != -1 && axis != int(rank) - 1) {
    SmallVector<int64_t> full = encoding.getFullBlock(rank);
    int64_t size = 1;
    for (int64_t b : full)
      if (b != 1) {
        if (size != 1)
          return makeError("the block of " + encodingText +
                           " spans more than one dimension; give axis=-1 "
                           "and write the block as it should be");
        size = b;
      }
    SmallVector<int64_t> moved(rank, 1);
    moved[axis < 0 ? axis + int(rank) : axis] = size;
    encoding = encoding.withFullBlock(moved);
  }
  if (encoding.getBlock().size() > rank)
    return makeError("the block of " + encodingText +
                     " has more dimensions "
                     "than the tensor's " +
                     llvm::Twine(rank));
  // The verifier of the encoding says which element formats it takes.
  SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
  if (failed(encoding.verifyEncoding(shape, element, [&] {
        return emitError(UnknownLoc::get(&context));
      })))
    return withDiagnostic("'" + elementText + ", " + encodingText +
                          "' is not a valid encoding");
  return BlockEncoding{element, encoding, encoding.getScaling(element)};
}
