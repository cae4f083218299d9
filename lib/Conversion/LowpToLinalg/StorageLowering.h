//===- StorageLowering.h - What lowp-vectorize and convert-lowp-to-linalg share
//-*- C++ -*-===//
//
// Both passes lower lowp ops to code on storage types (docs/Lowering.md,
// "Storage"): lowp-vectorize the ops a vector kernel covers, then
// convert-lowp-to-linalg every other. They convert types alike, so that the
// values one leaves for the other meet through casts that
// convert-lowp-to-linalg removes.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_STORAGELOWERING_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_STORAGELOWERING_H

#include "VectorCode.h"

#include "lowp/Conversion/VectorTarget.h"
#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Transforms/DialectConversion.h"

#include <functional>

namespace lowp {

/// Whether lowering changes an element type (to its code in an integer).
bool needsStorage(mlir::Type elementType);

/// Element types to their storage types; a block-scaled tensor to its parts
/// (elements, scales, then a 0-d tensor scale and the zero points where its
/// encoding has them).
class StorageTypeConverter : public mlir::TypeConverter {
public:
  StorageTypeConverter();
};

/// StorageTypeConverter for the passes that lower some lowp ops ahead of
/// convert-lowp-to-linalg (lowp-vectorize, lowp-cuda-matmul): the casts
/// between what such a pass lowers and what it leaves are kept as
/// unrealized casts, which convert-lowp-to-linalg's ForwardStorageCasts
/// removes.
class KernelTypeConverter : public StorageTypeConverter {
public:
  KernelTypeConverter();
};

/// The parts of the block-scaled `encoded` for the vector kernels, given its
/// lowered parts: where lowp-pack-boundaries left sub-byte codes (or zero
/// points) packed, the packed bytes, never unpacked into a temporary.
BlockScaledParts kernelParts(mlir::Value encoded, mlir::ValueRange lowered,
                             mlir::ConversionPatternRewriter &rewriter);

/// The width of the codes kernelParts reads packed, or 0.
unsigned packedWidthOf(mlir::Value encoded);

/// What lowp-pack-boundaries writes before a return, disassemble -> pack of
/// the elements: the lowp.pack of the block-scaled `encoded`'s elements
/// when nothing else reads them (not counting the casts a conversion adds),
/// so that a kernel can write them packed; null otherwise.
PackOp packOfElements(mlir::Value encoded);

/// The vector kernels' patterns (lowp-vectorize): each rewrites an op that a
/// kernel covers and fails on any other; `target` says which instructions
/// beyond portable vector code the matmul kernels may use.
void populateLowpVectorizePatterns(StorageTypeConverter &converter,
                                   mlir::RewritePatternSet &patterns,
                                   const VectorTarget &target);

/// lowp.requantize as the lowp.quantize of a lowp.dequantize to f32 that it
/// stands for, so that their kernels (or lowerings) compute it, except where
/// `keep` (if given) holds.
void populateSplitRequantizePatterns(
    mlir::RewritePatternSet &patterns,
    std::function<bool(RequantizeOp)> keep = nullptr);

/// Whether `op` is one that populateLowpVectorizePatterns rewrites.
bool isVectorized(mlir::Operation *op);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_STORAGELOWERING_H
