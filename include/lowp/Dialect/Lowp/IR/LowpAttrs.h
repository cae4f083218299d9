//===- LowpAttrs.h - lowp attributes ----------------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPATTRS_H
#define LOWP_DIALECT_LOWP_IR_LOWPATTRS_H

#include "lowp/Numerics/BlockScale.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/TensorEncoding.h"

#define GET_ATTRDEF_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpAttrs.h.inc"

namespace lowp {
/// The block-scaled encoding of `type`, or null where it is not a ranked
/// tensor with one.
inline BlockScaledEncodingAttr getBlockScaledEncoding(mlir::Type type) {
  auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type);
  return tensor ? llvm::dyn_cast_or_null<BlockScaledEncodingAttr>(
                      tensor.getEncoding())
                : BlockScaledEncodingAttr();
}
} // namespace lowp

#endif // LOWP_DIALECT_LOWP_IR_LOWPATTRS_H
