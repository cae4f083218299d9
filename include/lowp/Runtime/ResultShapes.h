//===- ResultShapes.h - Result sizes from argument sizes --------*- C++ -*-===//
//
// Compiled functions write their results into buffers the caller allocates,
// so a caller of a function with dynamic sizes (activations of
// tensor<?x4096xf32>: batch and sequence length change at run time) must
// know the results' sizes before the call, and a size that disagrees with
// another (two operands of an elementwise op, the reduction dimensions of a
// matmul) must be an error before the call, not an out-of-bounds access in
// it. SizeRelations reads both from the function as written: every
// dimension of every tensor in it is a size variable; the ops that tie
// sizes together (elementwise ops, lowp.matmul, lowp.relayout, linalg ops
// through their indexing maps, tensor.empty and tensor.dim, tensor.cast,
// and calls, each call site a fresh instance of the callee's sizes) join
// variables into classes; the arguments' sizes then give each class its
// value. A size that comes from an op it does not know (a loop, a reshape)
// is unknown: an error only if a result needs it.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_RUNTIME_RESULTSHAPES_H
#define LOWP_RUNTIME_RESULTSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowp {

/// Two size variables that must be equal, and the op that says so.
struct SizeTie {
  int a, b;
  std::string where;
};

class SizeRelations {
public:
  /// Reads how `function`'s sizes relate. The function is not kept.
  static SizeRelations analyze(mlir::func::FuncOp function);

  /// True when some argument or result has a dynamic size: only then is
  /// there anything to check or infer.
  bool hasDynamicSizes() const { return dynamic; }

  /// The logical shape of each result of a call with arguments of the given
  /// logical shapes (one per function argument, scalars empty; a size of -1
  /// is not known to the caller). Errors name the sizes that disagree and
  /// the op where they meet, or the result size that cannot be told.
  llvm::Expected<std::vector<std::vector<int64_t>>>
  resultShapes(const std::vector<std::vector<int64_t>> &argumentShapes) const;

private:
  int find(int variable) const;

  std::string functionName;
  bool dynamic = false;
  /// Union-find parents, and the static size of each variable (-1: none).
  mutable std::vector<int> parent;
  std::vector<int64_t> staticSize;
  /// The op (or argument) each variable first appeared at.
  std::vector<std::string> origins;
  /// Every tie, for the messages: the classes are their closure.
  std::vector<SizeTie> ties;
  std::vector<std::vector<int>> argumentSizes, resultSizes;
};

} // namespace lowp

#endif // LOWP_RUNTIME_RESULTSHAPES_H
