//===- PackedConversions.h - Converts in and out of packed rows -*- C++ -*-===//
//
// A format narrower than 8 bits crosses a function boundary packed
// (lowp-pack-boundaries puts lowp.pack before a return and lowp.unpack
// after an argument), so a converting function is pack(convert(x)) or
// convert(unpack(p)). Lowered op by op, that is a convert loop writing one
// code per byte into a temporary, then a second loop packing it (or the
// reverse). These functions lower the pair as one loop: each element is
// converted once and its code goes straight into (or comes straight out
// of) its bytes.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_LIB_CONVERSION_LOWPTOLINALG_PACKEDCONVERSIONS_H
#define LOWP_LIB_CONVERSION_LOWPTOLINALG_PACKEDCONVERSIONS_H

#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/IR/Builders.h"

namespace lowp {

/// What a lowp.convert computes for each element.
struct ElementConversion {
  explicit ElementConversion(ConvertOp op);

  /// One element `input` (in the source's storage type), with its random
  /// bits `random` (or null), converted into the result's storage type
  /// (ElementCodegen::convert). `table` holds a codebook source's values.
  mlir::Value emit(mlir::OpBuilder &builder, mlir::Location loc,
                   mlir::Value input, mlir::Value random,
                   mlir::Value table) const;

  ValueFormat from, to;
  /// The result's storage element type.
  mlir::Type storage;
  numerics::RoundingOptions options;
};

/// lowp.pack(convert) as one loop: `source` and `random` are the convert's
/// operands in storage types (random may be null), `packedType` the pack's
/// result. Returns null, emitting nothing, unless the shape is static and
/// rows are a whole number of groups of codes that fill whole bytes (2 of
/// 4 bits, 4 of 6 bits, 8 of 3 bits...); the caller then packs the
/// converted tensor.
mlir::Value emitPackedConvert(mlir::OpBuilder &builder, mlir::Location loc,
                              ConvertOp convert, mlir::Value source,
                              mlir::Value random, mlir::Value table,
                              mlir::RankedTensorType packedType);

/// convert(lowp.unpack(packed)) as one loop: `packed` is the unpack's i8
/// operand, `random` the convert's random bits in storage (or null).
/// Returns null, emitting nothing, where emitPackedConvert would.
mlir::Value emitConvertOfPacked(mlir::OpBuilder &builder, mlir::Location loc,
                                ConvertOp convert, UnpackOp unpack,
                                mlir::Value packed, mlir::Value random,
                                mlir::Value table);

} // namespace lowp

#endif // LOWP_LIB_CONVERSION_LOWPTOLINALG_PACKEDCONVERSIONS_H
