//===- Boundary.h - What crosses a compiled function's boundary -*- C++ -*-===//
//
// After lowering, a function's arguments and results are tensors of storage
// types, with each block-scaled tensor split into its parts. This describes
// that boundary from the function as written, for runners (lowp-run), the
// reference interpreter and generated C headers alike.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_RUNTIME_BOUNDARY_H
#define LOWP_RUNTIME_BOUNDARY_H

#include "lowp/Dialect/Lowp/IR/LowpOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>
#include <vector>

namespace lowp {

/// One tensor (or scalar) at the boundary.
struct BoundaryValue {
  /// "argument 0", "argument 1 (scales)", "result 0 (tensor scale)", ...
  std::string name;
  /// The function argument or result this value is (part of), and which
  /// part: 0 for a plain value or a block-scaled tensor's elements, then
  /// scales, tensor scale, zero points as the encoding has them.
  unsigned position = 0, part = 0;
  /// The element type as written: f4E2M1FN, f8E8M0FNU, f32, ...
  mlir::Type elementType;
  /// The type each element is stored as: f32, i8, ...
  mlir::Type storageType;
  /// Dimensions; ShapedType::kDynamic where not static.
  std::vector<int64_t> shape;
  /// A scalar argument or result (a block-scaled tensor's tensor scale is a
  /// 0-d tensor instead, like every other part).
  bool isScalar = false;
  /// Nonzero for a format narrower than 8 bits: the width its codes are
  /// packed at, each row a bit stream (lowp/Runtime/Packing.h).
  unsigned packedWidth = 0;

  /// The shape of the stored data: `shape`, or with the innermost dimension
  /// in bytes when packed.
  std::vector<int64_t> storageShape() const;

  /// Bytes per stored element (set by getBoundaryValues: runners ask for
  /// it once per element of tensors of millions).
  int64_t storageByteWidth = 0;
  int64_t storageBytes() const {
    return storageByteWidth ? storageByteWidth
                            : storageType.getIntOrFloatBitWidth() / 8;
  }
};

/// Why `type` cannot cross the boundary of compiled code that lowp's
/// runners call (lowp-run, the execution library, lowp-translate's C
/// headers), or nothing: scalars and ranked tensors of floats, integers of
/// up to 64 bits, index and lowp's formats can.
std::optional<std::string> unsupportedBoundaryType(mlir::Type type);

/// The values a function's arguments or results become, in order.
std::vector<BoundaryValue> getBoundaryValues(mlir::TypeRange types,
                                             const char *role);

} // namespace lowp

#endif // LOWP_RUNTIME_BOUNDARY_H
