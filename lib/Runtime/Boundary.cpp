//===- Boundary.cpp - What crosses a compiled function's boundary ---------===//

#include "lowp/Runtime/Boundary.h"

#include "lowp/Conversion/LowpToLinalg/StorageTypes.h"
#include "lowp/Runtime/Packing.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace lowp;

std::optional<std::string> lowp::unsupportedBoundaryType(Type type) {
  auto describe = [](Type t) {
    std::string text;
    llvm::raw_string_ostream os(text);
    t.print(os);
    return text;
  };
  if (isa<UnrankedTensorType>(type))
    return "unranked tensors (" + describe(type) +
           ") have no fixed layout; give the tensor a rank";
  if (isa<VectorType, MemRefType>(type))
    return describe(type) +
           " is not taken: pass tensors (lowp bufferizes them itself)";
  auto tensor = dyn_cast<RankedTensorType>(type);
  Type element = tensor ? tensor.getElementType() : type;
  if (isa<IndexType>(element) || element.isF32() || element.isF64())
    return std::nullopt;
  if (auto integer = dyn_cast<IntegerType>(element);
      integer && integer.getWidth() <= 64)
    return std::nullopt;
  if (getNumericFormat(element))
    return std::nullopt;
  return describe(type) + " has an element type (" + describe(element) +
         ") that lowp's runners do not take: floats, integers of up to 64 "
         "bits, index and lowp's formats";
}

std::vector<BoundaryValue> lowp::getBoundaryValues(TypeRange types,
                                                   const char *role) {
  std::vector<BoundaryValue> values;
  for (auto [index, type] : llvm::enumerate(types)) {
    std::string name = std::string(role) + " " + std::to_string(index);
    size_t first = values.size();
    unsigned position = unsigned(index);
    auto add = [&](const std::string &part, Type element,
                   ArrayRef<int64_t> shape, bool isScalar) {
      BoundaryValue value;
      value.name = part.empty() ? name : name + " (" + part + ")";
      value.position = position;
      value.part = unsigned(values.size() - first);
      value.elementType = element;
      value.storageType = getStorageType(element);
      value.storageByteWidth = value.storageType.getIntOrFloatBitWidth() / 8;
      value.shape.assign(shape.begin(), shape.end());
      value.isScalar = isScalar;
      if (!isScalar)
        if (RankedTensorType packed =
                getPackedType(RankedTensorType::get(shape, element)))
          value.packedWidth = getNumericFormat(element)->getBitWidth();
      values.push_back(value);
    };
    auto tensor = dyn_cast<RankedTensorType>(type);
    if (!tensor) {
      add("", type, {}, true);
      continue;
    }
    auto encoding =
        dyn_cast_or_null<BlockScaledEncodingAttr>(tensor.getEncoding());
    if (!encoding) {
      add("", tensor.getElementType(), tensor.getShape(), false);
      continue;
    }
    SmallVector<int64_t> scaleShape = encoding.getScaleShape(tensor.getShape());
    add("elements", tensor.getElementType(), tensor.getShape(), false);
    add("scales", encoding.getScaleType(), scaleShape, false);
    if (Type tensorScale = encoding.getTensorScaleType())
      add("tensor scale", tensorScale, {}, false);
    if (Type zeroPoint = encoding.getZeroPointType())
      add("zero points", zeroPoint, scaleShape, false);
    if (Type selector = encoding.getSelectorType())
      add("selectors", selector, scaleShape, false);
  }
  return values;
}

std::vector<int64_t> BoundaryValue::storageShape() const {
  std::vector<int64_t> result = shape;
  if (packedWidth && !result.empty() && result.back() >= 0)
    result.back() = packedRowBytes(result.back(), packedWidth);
  return result;
}
