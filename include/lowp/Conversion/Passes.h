//===- Passes.h - lowp conversion passes ------------------------*- C++ -*-===//

#ifndef LOWP_CONVERSION_PASSES_H
#define LOWP_CONVERSION_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace lowp {
struct VectorTarget;

/// lowp-legalize-arith's patterns: arith and math on floats stored as codes
/// computed in f64 between lowp.converts. With `nativeFloats`, fptosi/fptoui
/// and maxnumf/minnumf on f32 and f64 also get lowp's defined results
/// (saturating casts, -0 below +0); without, those ops on f32 and f64 (the
/// vector kernels', in range by construction) are left as they are.
void populateLowpLegalizeArithPatterns(mlir::RewritePatternSet &patterns,
                                       bool nativeFloats = false);

/// Rewrites the named linalg ops under `root` that compute on values stored
/// as codes (linalg.matmul, linalg.reduce, linalg.map, ... on bf16, FP8,
/// narrow integers) into linalg.generic, whose body lowp-legalize-arith then
/// computes in f64 like any other scalar arith. The ops that only move
/// codes (linalg.fill, copy, transpose, broadcast) are left: they lower as
/// the same op on storage.
mlir::LogicalResult generalizeNamedOpsOnCodes(mlir::Operation *root);

/// convert-lowp-to-llvm's patterns: lowp.lookup to a permute or selects.
void populateLowpToLLVMPatterns(mlir::RewritePatternSet &patterns,
                                const VectorTarget &target);

#define GEN_PASS_DECL
#include "lowp/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "lowp/Conversion/Passes.h.inc"
} // namespace lowp

#endif // LOWP_CONVERSION_PASSES_H
