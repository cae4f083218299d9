//===- StorageTypes.h - How lowered code stores each format -----*- C++ -*-===//

#ifndef LOWP_CONVERSION_LOWPTOLINALG_STORAGETYPES_H
#define LOWP_CONVERSION_LOWPTOLINALG_STORAGETYPES_H

#include "mlir/IR/Types.h"

namespace lowp {
/// The type that holds an element of `elementType` in memory after lowering:
/// f64 and f32 stay themselves, i8, i16 and i32 become signless, and every
/// other number format is its code zero-extended in the smallest of i8, i16,
/// i32. f16 and bf16 are codes too: their arithmetic then follows lowp's
/// policy (canonical NaN) and needs no runtime library (LLVM calls
/// __truncsfbf2 for bf16, which this platform's libgcc lacks).
mlir::Type getStorageType(mlir::Type elementType);
} // namespace lowp

#endif // LOWP_CONVERSION_LOWPTOLINALG_STORAGETYPES_H
