//===- BlockKernels.h - Block-scaled tensors to and from f32 ----*- C++ -*-===//
//
// lowp.dequantize to f32 as vector code over whole blocks: the codes read in
// their stored form (sub-byte codes packed), decoded in registers, scaled
// once per element with each block's scale held in a register, written in
// natural order; the blocks shared out among threads.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H

#include "VectorCode.h"

#include "mlir/IR/Builders.h"

namespace lowp {

/// Whether emitDequantizeKernel covers dequantizing `type` (static shape,
/// blocks along the innermost dimension only, every part's codes decodable
/// in vector code) into f32, with the result bit for bit the reference's:
/// the element times the element unit, times the block scale (and the
/// tensor scale) in f32 arithmetic that rounds only at the last multiply.
/// `packedWidth` is nonzero when the elements arrive packed.
bool isDequantizeKernelCovered(mlir::RankedTensorType type,
                               mlir::Type resultElement, unsigned packedWidth);

/// The f32 values of `input` (covered as isDequantizeKernelCovered says),
/// shaped like its logical type.
mlir::Value emitDequantizeKernel(mlir::OpBuilder &builder, mlir::Location loc,
                                 const BlockScaledParts &input);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H
