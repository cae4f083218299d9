//===- Presets.h - Block-scaled encodings by the names users write -*- C++
//-*-===//
//
// The quantization presets (mxfp4, nvfp4, int4_g128, ...) and the parsing
// of an encoding from text, for the lowp-quantize pass, the C API and
// Python: one table of what each preset means.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_DIALECT_LOWP_IR_PRESETS_H
#define LOWP_DIALECT_LOWP_IR_PRESETS_H

#include "lowp/Dialect/Lowp/IR/LowpAttrs.h"
#include "lowp/Numerics/BlockScale.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace lowp {

/// A block-scaled encoding over an element type: everything quantization
/// needs, and the IR spelling of the tensor type it makes.
struct BlockEncoding {
  mlir::Type elementType;
  BlockScaledEncodingAttr encoding;
  numerics::BlockScaling scaling;

  /// The block sizes for a tensor of rank `rank` (trailing-aligned, as the
  /// numerics core takes them).
  std::vector<int64_t> getBlock(unsigned rank) const;
  /// "tensor<4x64xf4E2M1FN, #lowp.block_scaled<mx>>".
  std::string getTensorTypeText(llvm::ArrayRef<int64_t> shape) const;
};

/// The presets users name: mxfp4, mxfp6_e2m3, mxfp6_e3m2, mxfp8_e4m3,
/// mxfp8_e5m2, mxint8, nvfp4, int4_g128, nf4.
const std::vector<std::string> &getQuantizationPresetNames();

/// An encoding from `text`: a preset name, or a tensor type's element type
/// and encoding ("f4E2M1FN, #lowp.block_scaled<mx>"), or `#lowp.block_scaled
/// <...>` alone with `elementType` naming the element format. For a
/// one-dimensional block, `axis` (negative from the end) of a rank-`rank`
/// tensor is the dimension blocks run along; blocks of more dimensions
/// are taken as written, and then `axis` must be -1.
llvm::Expected<BlockEncoding> parseBlockEncoding(mlir::MLIRContext &context,
                                                 llvm::StringRef text,
                                                 llvm::StringRef elementType,
                                                 unsigned rank, int axis);

} // namespace lowp

#endif // LOWP_DIALECT_LOWP_IR_PRESETS_H
