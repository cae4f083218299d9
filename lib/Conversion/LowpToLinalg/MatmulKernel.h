//===- MatmulKernel.h - Block-factored matmul in vector code ----*- C++ -*-===//
//
// lowp.matmul of f32 activations with a block-scaled weight whose blocks run
// along K, emitted as loops over vector code that keep the block structure:
// per K-block, the dot product of the activations with the elements'
// unscaled values, then one multiply by the block's scales. The weight is
// read once, in its stored form (sub-byte codes packed), and decoded in
// registers; nothing the size of the weight is ever materialized.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_MATMULKERNEL_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_MATMULKERNEL_H

#include "VectorCode.h"

#include "lowp/Conversion/LowpToLinalg/MatmulKernels.h"
#include "lowp/Conversion/VectorTarget.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/IR/Builders.h"

namespace lowp {

/// Whether emitBlockScaledMatmul covers `op` (types as written; see the
/// overload on types).
bool isBlockScaledMatmulCovered(MatmulOp op, unsigned packedWidth);

/// Whether the kernel for a covered weight `rhs` reads an activation of
/// type `lhs` as it is: f32, or (K x N weights) the codes of a plain format
/// it decodes or a block-scaled tensor with blocks along K that whole
/// passes lie in. Other activations are converted or dequantized to f32
/// first, which is what lowp.matmul rounds them to.
bool isActivationCovered(mlir::RankedTensorType lhs, mlir::RankedTensorType rhs,
                         bool transposed, unsigned lhsPackedWidth);

/// Emits `lhs (M x K) x rhs` as an M x N f32 tensor, rhs being K x N, or
/// N x K when `transposed` (lowp.matmul's transpose_rhs). `lhs` is an
/// activation that isActivationCovered accepts, as its parts (a plain one's
/// type has no encoding and its codes are the elements).
mlir::Value emitBlockScaledMatmul(mlir::OpBuilder &builder, mlir::Location loc,
                                  const BlockScaledParts &lhs,
                                  const BlockScaledParts &rhs, bool transposed,
                                  const VectorTarget &target);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_MATMULKERNEL_H
