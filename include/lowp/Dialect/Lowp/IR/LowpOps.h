//===- LowpOps.h - lowp operations ------------------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPOPS_H
#define LOWP_DIALECT_LOWP_IR_LOWPOPS_H

#include "lowp/Dialect/Lowp/IR/LowpAttrs.h"
#include "lowp/Dialect/Lowp/IR/LowpDialect.h"
#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Numerics/Format.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "lowp/Dialect/Lowp/IR/LowpEnums.h.inc"

#define GET_OP_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpOps.h.inc"

namespace lowp {
/// The numerics core's mode for an IR rounding attribute.
numerics::RoundingMode toNumerics(Rounding rounding);
/// The numerics core's mode for arith's rounding mode (to nearest even when
/// absent, as arith defines).
numerics::RoundingMode
toNumerics(std::optional<mlir::arith::RoundingMode> rounding);

/// How a value type reads its elements: a number format, or f64 (exact for
/// every supported value; the numerics core has no f64 format).
struct ValueFormat {
  std::optional<numerics::Format> format;
  bool isF64 = false;

  /// The exact value of `code` (for f64: the double whose bits `code` is).
  double decode(uint64_t code) const;
  /// The value as decode() gives it and the side of it the exact value lies
  /// on (Format::decode's sticky: nonzero only for logarithmic formats).
  double decode(uint64_t code, int &sticky) const;
  /// The code of `value` rounded by `options` (f64: its bits).
  uint64_t encode(double value, int sticky,
                  const numerics::RoundingOptions &options) const;
};
/// The most elements a fold computes one by one (lowp.convert, quantize,
/// dequantize and relayout of constants): larger constants stay for run
/// time, where the kernels are fast, so that folding never takes minutes or
/// gigabytes. Splats fold whatever their size, into splats.
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

/// The value format of an element type, or nullopt if it has none.
std::optional<ValueFormat> getValueFormat(mlir::Type elementType);

/// The i8 tensor that lowp.pack makes of `type`, or null when `type` is not
/// packed: its elements are 8 bits or wider, it has an encoding, rank 0, or
/// a dynamic innermost dimension.
mlir::RankedTensorType getPackedType(mlir::RankedTensorType type);

/// The plain tensors a block-scaled tensor type is made of, as lowp.assemble
/// takes them (the tensor scale as a 0-d tensor); `type` itself if plain.
llvm::SmallVector<mlir::Type> getPartTypes(mlir::Type type);
} // namespace lowp

#endif // LOWP_DIALECT_LOWP_IR_LOWPOPS_H
