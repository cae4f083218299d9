//===- AssignLayouts.cpp - Store weights as the kernels read them ---------===//
//
// docs/Layouts.md has the layouts and the decisions; the pass description in
// Passes.td has the rewrites.
//
//===----------------------------------------------------------------------===//

#include "lowp/Conversion/LowpToLinalg/MatmulKernels.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"
#include "lowp/Dialect/Lowp/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

namespace lowp {
#define GEN_PASS_DEF_LOWPASSIGNLAYOUTS
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

using namespace mlir;
using namespace lowp;

namespace {

constexpr int64_t kTranspose[] = {1, 0};

/// The width in which the elements of a weight of `type` arrive at a public
/// function's boundary: packed where lowp-pack-boundaries packs them, else 0.
unsigned boundaryPackedWidth(RankedTensorType type) {
  if (!getPackedType(
          RankedTensorType::get(type.getShape(), type.getElementType())))
    return 0;
  return getNumericFormat(type.getElementType())->getBitWidth();
}

/// Whether the cpu kernels read `op`'s K x N weight faster N x K: the
/// weight is blocked along K only, the row-dot kernel covers the
/// transposed weight (arriving packed `packedWidth` bits wide, or one code
/// per byte for 0), and the activations may have fewer rows than make the
/// kernels a GEMM (whose K x N loop nest reads the weight as it is faster
/// than the N x K one, which transposes it).
bool prefersTransposedWeight(MatmulOp op, unsigned packedWidth) {
  auto rhs = cast<RankedTensorType>(op.getRhs().getType());
  auto lhs = cast<RankedTensorType>(op.getLhs().getType());
  auto encoding = getBlockScaledEncoding(rhs);
  if (op.getTransposeRhs() || !encoding || rhs.getRank() != 2)
    return false;
  if (lhs.getRank() == 2 && !lhs.isDynamicDim(0) &&
      lhs.getDimSize(0) >= kBlockScaledGemmRows)
    return false;
  SmallVector<int64_t> block = encoding.getFullBlock(2);
  if (block[1] != 1 || block[0] == 1)
    return false;
  return isBlockScaledMatmulCovered(
      lhs, RelayoutOp::getRelayoutType(rhs, kTranspose), op.getAccumulator(),
      /*transposed=*/true, packedWidth);
}

/// Whether `weight` is known at compile time: the parts of an assemble, or
/// the input of a quantize, are constants (canonicalization then folds the
/// relayout into new constants).
bool isConstantWeight(Value weight) {
  if (auto quantize = weight.getDefiningOp<QuantizeOp>())
    return matchPattern(quantize.getInput(), m_Constant()) &&
           (!quantize.getRandom() ||
            matchPattern(quantize.getRandom(), m_Constant()));
  auto assemble = weight.getDefiningOp<AssembleOp>();
  if (!assemble)
    return false;
  return llvm::all_of(assemble.getOperands(), [](Value part) {
    return matchPattern(part, m_Constant());
  });
}

/// `op` reading `transposed` (the N x K relayout of its weight).
void readTransposed(MatmulOp op, Value transposed) {
  op.getRhsMutable().assign(transposed);
  op.setTransposeRhs(true);
}

struct LowpAssignLayoutsPass
    : lowp::impl::LowpAssignLayoutsBase<LowpAssignLayoutsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (target == "none")
      return;
    if (target != "cpu") {
      module.emitError("lowp-assign-layouts: unknown target '")
          << target << "' (known: cpu, none)";
      return signalPassFailure();
    }
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      if (function.isExternal())
        continue;
      relayoutConstantWeights(function);
      if (prepack && function.isPublic() &&
          failed(addPrepackedEntry(module, function)))
        return signalPassFailure();
    }
  }

  /// Constant weights: relayout right after their definition, folded into
  /// new constants by the canonicalizer.
  void relayoutConstantWeights(func::FuncOp function) {
    function.walk([](MatmulOp op) {
      Value weight = op.getRhs();
      if (!isConstantWeight(weight) ||
          !prefersTransposedWeight(op, /*packedWidth=*/0))
        return;
      OpBuilder b(op);
      readTransposed(op, RelayoutOp::create(b, op.getLoc(), weight,
                                            ArrayRef<int64_t>(kTranspose)));
    });
  }

  /// The arguments of `function` that some matmul reads as a weight it
  /// prefers transposed.
  static SmallVector<unsigned> prepackedArguments(func::FuncOp function) {
    SmallVector<unsigned> indices;
    for (BlockArgument argument : function.getArguments()) {
      auto type = dyn_cast<RankedTensorType>(argument.getType());
      if (!type)
        continue;
      bool prefers = llvm::any_of(argument.getUses(), [&](OpOperand &use) {
        auto matmul = dyn_cast<MatmulOp>(use.getOwner());
        return matmul && use.getOperandNumber() == 1 &&
               prefersTransposedWeight(matmul, boundaryPackedWidth(type));
      });
      if (prefers)
        indices.push_back(argument.getArgNumber());
    }
    return indices;
  }

  /// NAME_prepack (the weights relaid out) and NAME_prepacked (NAME on
  /// relaid-out weights) for the weights `function` takes as arguments.
  LogicalResult addPrepackedEntry(ModuleOp module, func::FuncOp function) {
    SmallVector<unsigned> indices = prepackedArguments(function);
    if (indices.empty())
      return success();
    std::string prepackName = (function.getName() + "_prepack").str();
    std::string prepackedName = (function.getName() + "_prepacked").str();
    Location loc = function.getLoc();
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(function);

    SmallVector<Type> weightTypes, prepackedTypes;
    for (unsigned index : indices) {
      auto type = cast<RankedTensorType>(function.getArgumentTypes()[index]);
      weightTypes.push_back(type);
      prepackedTypes.push_back(RelayoutOp::getRelayoutType(type, kTranspose));
    }
    SmallVector<Type> prepackedArgumentTypes(function.getArgumentTypes());
    for (auto [index, type] : llvm::zip(indices, prepackedTypes))
      prepackedArgumentTypes[index] = type;
    FunctionType prepackType = b.getFunctionType(weightTypes, prepackedTypes);
    FunctionType prepackedType = b.getFunctionType(
        prepackedArgumentTypes, function.getFunctionType().getResults());

    // A module that already has both entry points (a second run, or lowp-run
    // having laid out before compiling) keeps them.
    auto existing = [&](StringRef name) {
      return dyn_cast_or_null<func::FuncOp>(
          SymbolTable::lookupSymbolIn(module, name));
    };
    func::FuncOp oldPrepack = existing(prepackName),
                 oldPrepacked = existing(prepackedName);
    if (oldPrepack && oldPrepacked &&
        oldPrepack.getFunctionType() == prepackType &&
        oldPrepacked.getFunctionType() == prepackedType)
      return success();
    for (StringRef name : {StringRef(prepackName), StringRef(prepackedName)})
      if (SymbolTable::lookupSymbolIn(module, name))
        return function.emitError("lowp-assign-layouts: cannot add @")
               << name << " for this function's prepacked weights: the "
               << "module already has a symbol of that name";

    // NAME_prepack: each weight in, relaid out.
    auto prepack = func::FuncOp::create(b, loc, prepackName, prepackType);
    {
      OpBuilder::InsertionGuard guard(b);
      Block *body = prepack.addEntryBlock();
      b.setInsertionPointToStart(body);
      SmallVector<Value> relaidOut;
      for (BlockArgument weight : body->getArguments())
        relaidOut.push_back(
            RelayoutOp::create(b, loc, weight, ArrayRef<int64_t>(kTranspose)));
      func::ReturnOp::create(b, loc, relaidOut);
    }

    // NAME_prepacked: NAME with those arguments N x K. The matmuls that
    // prefer the weight transposed read it so; any other use reads it
    // relaid out back.
    b.setInsertionPointAfter(prepack);
    auto prepacked = cast<func::FuncOp>(b.clone(*function));
    prepacked.setName(prepackedName);
    Block &entry = prepacked.getBody().front();
    for (auto [index, type] : llvm::zip(indices, prepackedTypes)) {
      BlockArgument weight = entry.getArgument(index);
      auto originalType = cast<RankedTensorType>(weight.getType());
      SmallVector<MatmulOp> transposedReaders;
      SmallVector<OpOperand *> otherUses;
      for (OpOperand &use : weight.getUses()) {
        auto matmul = dyn_cast<MatmulOp>(use.getOwner());
        if (matmul && use.getOperandNumber() == 1 &&
            prefersTransposedWeight(matmul, boundaryPackedWidth(originalType)))
          transposedReaders.push_back(matmul);
        else
          otherUses.push_back(&use);
      }
      weight.setType(type);
      for (MatmulOp matmul : transposedReaders)
        matmul.setTransposeRhs(true);
      if (!otherUses.empty()) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(&entry);
        Value back = RelayoutOp::create(b, loc, originalType, weight,
                                        ArrayRef<int64_t>(kTranspose));
        for (OpOperand *use : otherUses)
          use->set(back);
      }
    }
    prepacked.setFunctionType(prepackedType);
    return success();
  }
};

} // namespace
