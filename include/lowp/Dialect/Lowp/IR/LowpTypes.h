//===- LowpTypes.h - lowp number format types -------------------*- C++ -*-===//

#ifndef LOWP_DIALECT_LOWP_IR_LOWPTYPES_H
#define LOWP_DIALECT_LOWP_IR_LOWPTYPES_H

#include "lowp/Numerics/Format.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Types.h"

#include "lowp/Dialect/Lowp/IR/LowpTypeInterfaces.h.inc"

#define GET_TYPEDEF_CLASSES
#include "lowp/Dialect/Lowp/IR/LowpTypes.h.inc"

namespace lowp {
/// The number format of `type`, for lowp and builtin types alike; nullopt
/// for types that are not a supported number format (or when the lowp
/// dialect, which attaches the builtin models, is not loaded).
std::optional<numerics::Format> getNumericFormat(mlir::Type type);

/// Attaches NumericFormatTypeInterface to the builtin float and integer
/// types of `context`.
void attachBuiltinNumericFormatModels(mlir::MLIRContext &context);
} // namespace lowp

#endif // LOWP_DIALECT_LOWP_IR_LOWPTYPES_H
