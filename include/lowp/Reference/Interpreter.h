//===- Interpreter.h - lowp's executable reference --------------*- C++ -*-===//
//
// Runs a function of lowp ops on host data with the numerics core, the way
// the op descriptions define them: the oracle that compiled code is checked
// against (lowp-run --check). Values are codes in the boundary layout of
// lowp/Runtime/Boundary.h, so the interpreter and compiled code take and
// produce the same bits.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_REFERENCE_INTERPRETER_H
#define LOWP_REFERENCE_INTERPRETER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace lowp::reference {

/// One boundary value: an element type, a shape and the code of each
/// element (row-major).
struct Tensor {
  mlir::Type elementType;
  std::vector<int64_t> shape;
  std::vector<uint64_t> codes;
  /// Set only for results defined up to rounding (lowp.matmul sums in an
  /// unspecified order): the value is within `tolerance[i]` of the exact
  /// `values[i]`.
  std::vector<double> values;
  std::vector<double> tolerance;

  int64_t numElements() const;
};

/// Runs `function` on `arguments` (one per boundary argument). Returns the
/// results (one per boundary result), or sets `error` for an op the
/// interpreter does not know.
bool run(mlir::func::FuncOp function, const std::vector<Tensor> &arguments,
         std::vector<Tensor> &results, std::string &error);

} // namespace lowp::reference

#endif // LOWP_REFERENCE_INTERPRETER_H
