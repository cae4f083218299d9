//===- MatmulKernels.h - What convert-lowp-to-linalg's kernels cover -*- C++
//-*-===//
//
// The question lowp-assign-layouts asks before it changes a weight's layout:
// would the matmul kernel read the weight in the new layout at all? A layout
// the kernel does not cover sends the matmul to the dequantizing fallback,
// which is far slower than either kernel.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_CONVERSION_LOWPTOLINALG_MATMULKERNELS_H
#define LOWP_CONVERSION_LOWPTOLINALG_MATMULKERNELS_H

#include "mlir/IR/BuiltinTypes.h"

namespace lowp {

/// From this many rows of the activations on, the block-scaled matmul
/// kernels decode each tile of the weight once into a panel that every row
/// reads (a GEMM); below it they decode per row (a GEMV), where an N x K
/// weight is read fastest. At this many rows and more a K x N weight is
/// read fastest as it is (docs/Lowering.md).
constexpr int64_t kBlockScaledGemmRows = 6;

/// Whether the block-factored matmul kernel covers `lhs x rhs` (rhs N x K
/// when `transposed`) with `accumulator`: f32 accumulation of a rank-2
/// plain activation with a rank-2 weight blocked along K ([B, 1] for K x N,
/// [1, B] for N x K), with element, scale and zero-point formats that the
/// vector decoder handles. `packedWidth` is the width of the weight's codes
/// where they arrive packed (lowp-pack-boundaries), 0 where they arrive one
/// per byte.
bool isBlockScaledMatmulCovered(mlir::RankedTensorType lhs,
                                mlir::RankedTensorType rhs,
                                mlir::Type accumulator, bool transposed,
                                unsigned packedWidth);

} // namespace lowp

#endif // LOWP_CONVERSION_LOWPTOLINALG_MATMULKERNELS_H
