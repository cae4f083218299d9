//===- ResultShapes.cpp - Result sizes from argument sizes ----------------===//

#include "lowp/Runtime/ResultShapes.h"

#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/DenseMap.h"

#include <map>

using namespace mlir;
using namespace lowp;

namespace {
llvm::Error makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

/// "'arith.addf' at file.mlir:3:8", for messages that point at the IR.
std::string describe(Operation *op) {
  std::string text = "'" + op->getName().getStringRef().str() + "'";
  if (auto file = op->getLoc()->findInstanceOf<FileLineColLoc>())
    text += " at " + file.getFilename().str() + ":" +
            std::to_string(file.getLine()) + ":" +
            std::to_string(file.getColumn());
  return text;
}

/// Ops whose shaped operands and results all have one shape.
bool isElementwise(Operation *op) {
  return op->hasTrait<OpTrait::Elementwise>() ||
         op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
         isa<ConvertOp, QuantizeOp, DequantizeOp, RequantizeOp>(op);
}

/// The size variables of one function, and the ties between them.
struct SizeGraph {
  std::vector<int> &parent;
  std::vector<int64_t> &staticSize;
  std::vector<std::string> &origin;
  std::vector<SizeTie> ties;
  llvm::DenseMap<Value, SmallVector<int>> tensorSizes;
  /// Index values known to be a size (tensor.dim, or a constant).
  llvm::DenseMap<Value, int> indexSizes;

  SizeGraph(std::vector<int> &parent, std::vector<int64_t> &staticSize,
            std::vector<std::string> &origin)
      : parent(parent), staticSize(staticSize), origin(origin) {}

  int fresh(int64_t size, const std::string &from) {
    parent.push_back(int(parent.size()));
    staticSize.push_back(size);
    origin.push_back(from);
    return int(parent.size()) - 1;
  }

  /// The variables of `value`'s dimensions; empty for what is not a ranked
  /// tensor. A value first seen here is defined by an op that ties nothing:
  /// its dynamic sizes are unknown.
  ArrayRef<int> sizesOf(Value value) {
    auto found = tensorSizes.find(value);
    if (found != tensorSizes.end())
      return found->second;
    SmallVector<int> sizes;
    if (auto type = dyn_cast<RankedTensorType>(value.getType())) {
      // A block argument of a nested region (a loop's) is its op's.
      Operation *op = value.getDefiningOp();
      if (auto argument = dyn_cast<BlockArgument>(value);
          argument && !isa<func::FuncOp>(argument.getOwner()->getParentOp()))
        op = argument.getOwner()->getParentOp();
      for (auto [d, size] : llvm::enumerate(type.getShape())) {
        std::string from =
            op ? describe(op)
               : "argument " +
                     std::to_string(cast<BlockArgument>(value).getArgNumber()) +
                     " dimension " + std::to_string(d);
        sizes.push_back(fresh(ShapedType::isDynamic(size) ? -1 : size, from));
      }
    }
    return tensorSizes[value] = sizes;
  }

  void tie(int a, int b, Operation *op) {
    ties.push_back({a, b, describe(op)});
  }
  void tieShapes(Value a, Value b, Operation *op) {
    ArrayRef<int> x = sizesOf(a), y = sizesOf(b);
    if (x.size() != y.size())
      return;
    for (auto [u, v] : llvm::zip(x, y))
      tie(u, v, op);
  }

  /// Calls nested this deep or deeper are not followed (recursion).
  static constexpr int kMaxCallDepth = 8;
  int callDepth = 0;

  /// A call: the callee's sizes as a fresh instance for this call site, its
  /// arguments tied to the call's operands and its results to the call's.
  void visitCall(func::CallOp call) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee || callee.isExternal() || callDepth >= kMaxCallDepth)
      return;
    // Forget what another call site made of the callee's values.
    callee.walk([&](Operation *inner) {
      for (Value result : inner->getResults())
        tensorSizes.erase(result);
      for (Region &region : inner->getRegions())
        for (Block &block : region)
          for (BlockArgument argument : block.getArguments())
            tensorSizes.erase(argument);
    });
    for (auto [operand, argument] :
         llvm::zip(call.getOperands(), callee.getArguments()))
      tieShapes(operand, argument, call);
    ++callDepth;
    callee.walk<WalkOrder::PreOrder>([&](Operation *inner) {
      visit(inner);
      if (auto ret = dyn_cast<func::ReturnOp>(inner);
          ret && ret->getParentOp() == callee)
        for (auto [result, value] :
             llvm::zip(call.getResults(), ret.getOperands()))
          tieShapes(result, value, call);
    });
    --callDepth;
  }

  void visit(Operation *op) {
    if (auto call = dyn_cast<func::CallOp>(op)) {
      visitCall(call);
      return;
    }
    if (auto matmul = dyn_cast<MatmulOp>(op)) {
      SmallVector<int> lhs(sizesOf(matmul.getLhs())),
          rhs(sizesOf(matmul.getRhs())), result(sizesOf(matmul.getResult()));
      int64_t rank = lhs.size();
      if (rank == 3) {
        tie(lhs[0], rhs[0], op);
        tie(lhs[0], result[0], op);
      }
      int64_t m = rank - 2, k = rank - 1;
      bool transposed = matmul.getTransposeRhs();
      // rhs is K x N, or N x K with transpose_rhs.
      tie(lhs[k], rhs[transposed ? k : m], op);
      tie(result[m], lhs[m], op);
      tie(result[k], rhs[transposed ? m : k], op);
      return;
    }
    if (auto relayout = dyn_cast<RelayoutOp>(op)) {
      SmallVector<int> input(sizesOf(relayout.getInput())),
          result(sizesOf(relayout.getResult()));
      for (auto [i, d] : llvm::enumerate(relayout.getPermutation()))
        tie(result[i], input[d], op);
      return;
    }
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      SmallVector<int> loops;
      for (unsigned l = 0; l < linalgOp.getNumLoops(); ++l)
        loops.push_back(fresh(-1, describe(op)));
      for (OpOperand &operand : op->getOpOperands()) {
        ArrayRef<int> sizes = sizesOf(operand.get());
        if (sizes.empty())
          continue;
        AffineMap map = linalgOp.getMatchingIndexingMap(&operand);
        for (auto [d, expr] : llvm::enumerate(map.getResults()))
          if (auto dim = dyn_cast<AffineDimExpr>(expr))
            tie(sizes[d], loops[dim.getPosition()], op);
      }
      for (auto [result, init] :
           llvm::zip(op->getResults(), linalgOp.getDpsInits()))
        tieShapes(result, init, op);
      return;
    }
    if (auto empty = dyn_cast<tensor::EmptyOp>(op)) {
      SmallVector<int> sizes(sizesOf(empty.getResult()));
      unsigned next = 0;
      for (auto [d, size] : llvm::enumerate(empty.getType().getShape()))
        if (ShapedType::isDynamic(size)) {
          auto known = indexSizes.find(empty.getDynamicSizes()[next++]);
          if (known != indexSizes.end())
            tie(sizes[d], known->second, op);
        }
      return;
    }
    if (auto dim = dyn_cast<tensor::DimOp>(op)) {
      APInt index;
      ArrayRef<int> sizes = sizesOf(dim.getSource());
      if (matchPattern(dim.getIndex(), m_ConstantInt(&index)) &&
          index.getZExtValue() < sizes.size())
        indexSizes[dim.getResult()] = sizes[index.getZExtValue()];
      return;
    }
    if (auto constant = dyn_cast<arith::ConstantIndexOp>(op)) {
      indexSizes[constant.getResult()] = fresh(constant.value(), describe(op));
      return;
    }
    if (auto castOp = dyn_cast<tensor::CastOp>(op)) {
      tieShapes(castOp.getSource(), castOp.getResult(), op);
      return;
    }
    if (isElementwise(op)) {
      Value first;
      for (Value value :
           llvm::concat<Value>(op->getOperands(), op->getResults())) {
        if (!isa<RankedTensorType>(value.getType()))
          continue;
        if (!first)
          first = value;
        else
          tieShapes(first, value, op);
      }
    }
  }
};
} // namespace

int SizeRelations::find(int variable) const {
  while (parent[variable] != variable)
    variable = parent[variable] = parent[parent[variable]];
  return variable;
}

SizeRelations SizeRelations::analyze(func::FuncOp function) {
  SizeRelations relations;
  relations.functionName = function.getSymName().str();
  SizeGraph graph(relations.parent, relations.staticSize, relations.origins);
  auto isDynamic = [](Type type) {
    auto tensor = dyn_cast<RankedTensorType>(type);
    return tensor && !tensor.hasStaticShape();
  };
  relations.dynamic = llvm::any_of(function.getArgumentTypes(), isDynamic) ||
                      llvm::any_of(function.getResultTypes(), isDynamic);
  if (!relations.dynamic || function.isExternal())
    return relations;
  for (BlockArgument argument : function.getArguments())
    relations.argumentSizes.emplace_back(graph.sizesOf(argument).vec());
  function.walk<WalkOrder::PreOrder>([&](Operation *op) {
    graph.visit(op);
    if (auto ret = dyn_cast<func::ReturnOp>(op);
        ret && ret->getParentOp() == function)
      for (Value value : ret.getOperands())
        relations.resultSizes.emplace_back(graph.sizesOf(value).vec());
  });
  relations.ties = std::move(graph.ties);
  for (const SizeTie &tie : relations.ties) {
    int a = relations.find(tie.a), b = relations.find(tie.b);
    if (a != b)
      relations.parent[b] = a;
  }
  return relations;
}

llvm::Expected<std::vector<std::vector<int64_t>>> SizeRelations::resultShapes(
    const std::vector<std::vector<int64_t>> &argumentShapes) const {
  std::vector<std::vector<int64_t>> shapes;
  if (!dynamic)
    return shapes;
  if (argumentShapes.size() != argumentSizes.size())
    return makeError("@" + functionName + " takes " +
                     llvm::Twine(argumentSizes.size()) + " arguments, got " +
                     llvm::Twine(argumentShapes.size()) + " shapes");
  // Each class's size: a static one, then the arguments'.
  std::map<int, int64_t> size;
  std::map<int, std::string> source;
  for (size_t v = 0; v < parent.size(); ++v)
    if (staticSize[v] >= 0 && !size.count(find(int(v)))) {
      size[find(int(v))] = staticSize[v];
      source[find(int(v))] = "the static size " +
                             std::to_string(staticSize[v]) + " of " +
                             origins[v];
    }
  for (size_t a = 0; a < argumentSizes.size(); ++a) {
    const std::vector<int> &sizes = argumentSizes[a];
    const std::vector<int64_t> &shape = argumentShapes[a];
    if (shape.size() != sizes.size())
      return makeError("@" + functionName + ": argument " + llvm::Twine(a) +
                       " has rank " + llvm::Twine(sizes.size()) +
                       ", got a shape of rank " + llvm::Twine(shape.size()));
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (shape[d] < 0)
        continue;
      int root = find(sizes[d]);
      std::string here =
          "argument " + std::to_string(a) + " dimension " + std::to_string(d);
      auto [known, inserted] = size.try_emplace(root, shape[d]);
      if (inserted) {
        source[root] = here + " (" + std::to_string(shape[d]) + ")";
        continue;
      }
      if (known->second == shape[d])
        continue;
      // Where the two meet: the ties on a path between them.
      // Where they meet: an op that ties this size, else any in its class.
      std::string where;
      for (const SizeTie &tie : ties)
        if (tie.a == sizes[d] || tie.b == sizes[d]) {
          where = tie.where;
          break;
        }
      for (const SizeTie &tie : ties)
        if (where.empty() && find(tie.a) == root)
          where = tie.where;
      return makeError("@" + functionName + ": " + here + " is " +
                       llvm::Twine(shape[d]) + ", but it must equal " +
                       source[root] +
                       (where.empty() ? "" : ", as " + where + " needs"));
    }
  }
  for (size_t r = 0; r < resultSizes.size(); ++r) {
    std::vector<int64_t> shape;
    for (size_t d = 0; d < resultSizes[r].size(); ++d) {
      auto known = size.find(find(resultSizes[r][d]));
      if (known == size.end())
        return makeError("@" + functionName + ": the size of result " +
                         llvm::Twine(r) + " dimension " + llvm::Twine(d) +
                         " cannot be told from the arguments' sizes (it "
                         "comes from " +
                         origins[resultSizes[r][d]] + ")");
      shape.push_back(known->second);
    }
    shapes.push_back(std::move(shape));
  }
  return shapes;
}
