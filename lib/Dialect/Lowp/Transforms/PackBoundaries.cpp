//===- PackBoundaries.cpp - Public functions take packed, plain parts -----===//

#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"

namespace lowp {
#define GEN_PASS_DEF_LOWPPACKBOUNDARIES
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

/// The boundary types of one value: its parts, each packed if narrow.
SmallVector<Type> boundaryTypes(Type type) {
  SmallVector<Type> types;
  for (Type part : getPartTypes(type)) {
    RankedTensorType packed = getPackedType(dyn_cast<RankedTensorType>(part));
    types.push_back(packed ? Type(packed) : part);
  }
  return types;
}

SmallVector<Type> boundaryTypes(TypeRange types) {
  SmallVector<Type> result;
  for (Type type : types)
    llvm::append_range(result, boundaryTypes(type));
  return result;
}

bool isBlockScaled(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor &&
         isa_and_nonnull<BlockScaledEncodingAttr>(tensor.getEncoding());
}

/// A value as its boundary parts.
SmallVector<Value> explode(OpBuilder &b, Location loc, Value value) {
  Type type = value.getType();
  SmallVector<Value> parts;
  if (isBlockScaled(type)) {
    auto encoding = cast<BlockScaledEncodingAttr>(
        cast<RankedTensorType>(type).getEncoding());
    Type tensorScaleType = encoding.getTensorScaleType();
    auto disassemble = DisassembleOp::create(b, loc, value);
    parts.push_back(disassemble.getElements());
    parts.push_back(disassemble.getScales());
    if (tensorScaleType)
      parts.push_back(tensor::FromElementsOp::create(
          b, loc, RankedTensorType::get({}, tensorScaleType),
          ValueRange{disassemble.getTensorScale()}));
    if (Value zeroPoints = disassemble.getZeroPoints())
      parts.push_back(zeroPoints);
    if (Value selectors = disassemble.getSelectors())
      parts.push_back(selectors);
  } else {
    parts.push_back(value);
  }
  for (Value &part : parts)
    if (RankedTensorType packed =
            getPackedType(dyn_cast<RankedTensorType>(part.getType())))
      part = PackOp::create(b, loc, packed, part);
  return parts;
}

/// The value of `type` made of its boundary parts.
Value implode(OpBuilder &b, Location loc, ValueRange boundary, Type type) {
  SmallVector<Type> partTypes = getPartTypes(type);
  SmallVector<Value> parts;
  for (auto [value, partType] : llvm::zip(boundary, partTypes))
    parts.push_back(
        value.getType() == partType
            ? value
            : UnpackOp::create(b, loc, partType, value).getResult());
  if (!isBlockScaled(type))
    return parts.front();
  auto encoding =
      cast<BlockScaledEncodingAttr>(cast<RankedTensorType>(type).getEncoding());
  Value tensorScale, zeroPoints, selectors;
  size_t next = 2;
  if (encoding.getTensorScaleType())
    tensorScale =
        tensor::ExtractOp::create(b, loc, parts[next++], ValueRange{});
  if (encoding.getZeroPointType())
    zeroPoints = parts[next++];
  if (encoding.hasChoices())
    selectors = parts[next];
  return AssembleOp::create(b, loc, type, parts[0], parts[1], tensorScale,
                            zeroPoints, selectors);
}

struct LowpPackBoundariesPass
    : lowp::impl::LowpPackBoundariesBase<LowpPackBoundariesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    llvm::DenseMap<StringAttr, FunctionType> originals;
    for (auto function : module.getOps<func::FuncOp>()) {
      if (!function.isPublic() || function.isExternal())
        continue;
      FunctionType type = function.getFunctionType();
      if (boundaryTypes(type.getInputs()) ==
              SmallVector<Type>(type.getInputs()) &&
          boundaryTypes(type.getResults()) ==
              SmallVector<Type>(type.getResults()))
        continue;
      originals[function.getSymNameAttr()] = type;
      rewriteFunction(function);
    }
    // Calls to the rewritten functions pass and receive parts too.
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (originals.count(call.getCalleeAttr().getAttr()))
        calls.push_back(call);
    });
    for (func::CallOp call : calls) {
      FunctionType original = originals[call.getCalleeAttr().getAttr()];
      OpBuilder b(call);
      SmallVector<Value> operands;
      for (Value operand : call.getOperands())
        llvm::append_range(operands, explode(b, call.getLoc(), operand));
      auto newCall =
          func::CallOp::create(b, call.getLoc(), call.getCallee(),
                               boundaryTypes(original.getResults()), operands);
      size_t next = 0;
      for (auto [result, type] :
           llvm::zip(call.getResults(), original.getResults())) {
        size_t count = boundaryTypes(type).size();
        result.replaceAllUsesWith(implode(
            b, call.getLoc(), newCall.getResults().slice(next, count), type));
        next += count;
      }
      call.erase();
    }
  }

  void rewriteFunction(func::FuncOp function) {
    FunctionType type = function.getFunctionType();
    Block &entry = function.getBody().front();
    OpBuilder b(&entry, entry.begin());
    unsigned oldCount = entry.getNumArguments();
    for (unsigned i = 0; i < oldCount; ++i) {
      BlockArgument argument = entry.getArgument(i);
      SmallVector<Value> parts;
      for (Type partType : boundaryTypes(argument.getType()))
        parts.push_back(entry.addArgument(partType, argument.getLoc()));
      argument.replaceAllUsesWith(
          implode(b, argument.getLoc(), parts, argument.getType()));
    }
    entry.eraseArguments(0, oldCount);
    function.walk([&](func::ReturnOp ret) {
      OpBuilder rb(ret);
      SmallVector<Value> operands;
      for (Value operand : ret.getOperands())
        llvm::append_range(operands, explode(rb, ret.getLoc(), operand));
      ret->setOperands(operands);
    });
    function.setType(FunctionType::get(function.getContext(),
                                       boundaryTypes(type.getInputs()),
                                       boundaryTypes(type.getResults())));
  }
};
} // namespace
