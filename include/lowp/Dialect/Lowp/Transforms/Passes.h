//===- Passes.h - lowp dialect transforms -----------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_H
#define LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace lowp {
/// lowp-propagate-scales' patterns.
void populateLowpPropagateScalesPatterns(mlir::RewritePatternSet &patterns);

#define GEN_PASS_DECL
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowp/Dialect/Lowp/Transforms/Passes.h.inc"
} // namespace lowp

#endif // LOWP_DIALECT_LOWP_TRANSFORMS_PASSES_H
