//===- BlockKernels.h - Block-scaled tensors to and from f32 ----*- C++ -*-===//
//
// lowp.dequantize to f32 as vector code over whole blocks: the codes read in
// their stored form (sub-byte codes packed), decoded in registers, scaled
// once per element with each block's scale held in a register, written in
// natural order; the blocks shared out among threads. lowp.quantize of f32
// under the MX rules likewise: each block's amax reduced in registers, its
// scale computed once, its elements rounded in f32 lanes and written
// packed.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H

#include "VectorCode.h"

#include "lowp/Dialect/Lowp/IR/LowpOps.h"

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

/// Whether emitDecodeKernel covers lowp.convert of a plain tensor of `type`
/// (static shape, a format that VectorDecoder decodes exactly) to f32:
/// what emitDequantizeKernel does without scales, decoding being exact.
bool isDecodeKernelCovered(mlir::RankedTensorType type,
                           mlir::Type resultElement, unsigned packedWidth);

/// The f32 values of `codes` (storage of `type`, or its rows packed when
/// `packedWidth` is nonzero), shaped like `type`.
mlir::Value emitDecodeKernel(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value codes, mlir::RankedTensorType type,
                             unsigned packedWidth);

/// Whether emitHadamardKernel covers lowp.hadamard of a static f32 tensor
/// of `type` along `axis` in blocks of `block`: along the innermost axis,
/// blocks of at most 1024 elements, a whole number of vectors of
/// max(block, 16) lanes.
bool isHadamardKernelCovered(mlir::RankedTensorType type, int64_t axis,
                             int64_t block);

/// lowp.hadamard in one pass over memory: each vector of whole blocks is
/// read once, multiplied by the signs, put through the log2(block)
/// butterfly passes as lane shuffles in registers and scaled, exactly
/// numerics::hadamardBlock's f32 operations in its order.
mlir::Value emitHadamardKernel(mlir::OpBuilder &builder, mlir::Location loc,
                               mlir::Value input, int64_t block,
                               llvm::ArrayRef<float> signs);

/// Whether emitPackedEncodeKernel covers lowp.pack(lowp.convert(x)) of a
/// static f32 tensor `sourceType` into a format of 1, 2 or 4 bits whose
/// rows fill whole bytes, rounded by the f32-lane encoder (`options`, not
/// stochastic).
bool isPackedEncodeKernelCovered(mlir::RankedTensorType sourceType,
                                 const numerics::Format &format,
                                 const numerics::RoundingOptions &options);

/// The packed codes of `source` (f32, shaped `sourceType`) rounded into
/// `format`, shaped as lowp.pack lays them out (`packedType`).
mlir::Value emitPackedEncodeKernel(mlir::OpBuilder &builder, mlir::Location loc,
                                   mlir::Value source,
                                   const numerics::Format &format,
                                   const numerics::RoundingOptions &options,
                                   mlir::RankedTensorType packedType);

/// Whether emitEncodeKernel covers lowp.convert of `sourceType` (f32, static
/// shape) into `format`, 8 or 16 bits wide (stored one code per byte or
/// per 16 bits), rounded by `options` (deterministic) in the f32-lane
/// encoder.
bool isEncodeKernelCovered(mlir::RankedTensorType sourceType,
                           const numerics::Format &format,
                           const numerics::RoundingOptions &options);

/// The codes of `source` (f32) in `format`, as a tensor of `storageType`:
/// vector code over 16 lanes at a time, with non-temporal stores when the
/// codes are larger than the caches and the buffer is aligned.
mlir::Value emitEncodeKernel(mlir::OpBuilder &builder, mlir::Location loc,
                             mlir::Value source, const numerics::Format &format,
                             const numerics::RoundingOptions &options,
                             mlir::RankedTensorType storageType);

/// Whether emitQuantizeKernel covers `op`: an f32 tensor of static shape
/// quantized over blocks along the innermost dimension, under the OCP floor
/// or rceil rule into E8M0 scales (the elements rounded nearest even,
/// nearest away or toward zero by the f32-lane encoder), or under minmax
/// into integer elements with f16 scales and integer zero points
/// (int4-g128; nearest even), every code then bit for bit the reference's;
/// `packedWidth` nonzero when the elements are to be written packed
/// (widths 1, 2 and 4).
bool isQuantizeKernelCovered(QuantizeOp op, unsigned packedWidth);

/// The parts of `op`'s result for the f32 tensor `input` (stored), as
/// isQuantizeKernelCovered says, in the encoding's order: elements (packed
/// as lowp.pack lays them out when `packedWidth` is nonzero, else one code
/// per storage element), scales, and zero points under minmax.
llvm::SmallVector<mlir::Value>
emitQuantizeKernel(mlir::OpBuilder &builder, mlir::Location loc, QuantizeOp op,
                   mlir::Value input, unsigned packedWidth);

/// Whether emitRequantizeKernel covers `op`: a source the dequantize kernel
/// covers (its codes packed in `sourcePackedWidth` bits, or 0) and a
/// result the quantize kernel covers (`packedWidth` as there), of one
/// static shape.
bool isRequantizeKernelCovered(RequantizeOp op, unsigned sourcePackedWidth,
                               unsigned packedWidth);

/// The parts of `op`'s result, as emitQuantizeKernel writes them, computed
/// from the parts of its source 16 values at a time in registers, as the
/// dequantize kernel decodes them: the f32 tensor between is never
/// written.
llvm::SmallVector<mlir::Value>
emitRequantizeKernel(mlir::OpBuilder &builder, mlir::Location loc,
                     RequantizeOp op, const BlockScaledParts &source,
                     unsigned packedWidth);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_BLOCKKERNELS_H
