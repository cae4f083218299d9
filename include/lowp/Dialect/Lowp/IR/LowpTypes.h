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

/// The number format that `text` names as an MLIR type ("f8E4M3FN",
/// "!lowp.float<e3m3>", "!lowp.codebook<nf4>"), parsed in `context` (where
/// lowp is loaded). Nullopt with `error` set if `text` is not exactly one
/// type or the type is not a number format lowp supports.
std::optional<numerics::Format> parseNumericFormat(mlir::MLIRContext &context,
                                                   const std::string &text,
                                                   std::string &error);

/// Attaches NumericFormatTypeInterface to the builtin float and integer
/// types of `context`.
void attachBuiltinNumericFormatModels(mlir::MLIRContext &context);
} // namespace lowp

#endif // LOWP_DIALECT_LOWP_IR_LOWPTYPES_H
