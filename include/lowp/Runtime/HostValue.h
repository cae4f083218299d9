//===- HostValue.h - Arrays at a compiled function's boundary ---*- C++ -*-===//
//
// The host side of the boundary (lowp/Runtime/Boundary.h), shared by
// lowp-run and the Python package: an array of a numpy dtype checked
// against one boundary value and turned into the storage layout compiled
// code reads, and back. f16/f32/f64 values are numpy floats, integer types
// numpy integers holding their values, i1 numpy bools, and every other
// format unsigned integers holding its codes. Errors are returned as
// messages, never printed or exited on.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_RUNTIME_HOSTVALUE_H
#define LOWP_RUNTIME_HOSTVALUE_H

#include "lowp/ExecutionEngine/ExecutionEngine.h"
#include "lowp/Runtime/Boundary.h"
#include "lowp/Runtime/Npy.h"

#include <cstdint>
#include <string>
#include <vector>

namespace lowp {

/// i1, the type of comparisons: numpy's bool at the boundary, true its set
/// bit (the value -1 of a signed 1-bit integer).
bool isBoolean(mlir::Type type);
/// 64-bit integers and index, which cross the boundary as numpy
/// int64/uint64 values and have no numerics format.
bool isWideInteger(mlir::Type type);
bool isUnsignedInteger(mlir::Type type);
/// f16, f32 and f64: numpy's own floats.
bool isNativeFloat(mlir::Type type);

/// One boundary value's data in storage layout, one element per code
/// (unpacked).
struct HostValue {
  BoundaryValue boundary;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;

  int64_t numElements() const {
    int64_t count = 1;
    for (int64_t d : shape)
      count *= d;
    return count;
  }
  /// The element's code: its stored bits, less the sign extension that
  /// signed integers of odd widths carry in their container.
  uint64_t code(int64_t i) const;
  void setCode(int64_t i, uint64_t code);
};

/// Checks `array` against `boundary` (its shape, its dtype, every element
/// a value or code of the element type) and converts it. `where` names the
/// array in `error`.
bool toHostValue(npy::Array array, const BoundaryValue &boundary,
                 const std::string &where, HostValue &value,
                 std::string &error);

/// The numpy array a result holds, as toHostValue reads arguments.
npy::Array toNpy(const HostValue &value);

/// The dtype a boundary value's arrays have: float for f16/f32/f64, bool
/// for i1, the storage width's signed or unsigned integers otherwise.
npy::DType getBoundaryDType(const BoundaryValue &boundary);

/// A value as compiled code stores it: its bytes, or its rows packed.
struct StoredValue {
  std::vector<uint8_t> packed;
  /// A tensor's data and stored shape; unused for scalars. A packed
  /// tensor's data is `packed`, whose address buffer() takes.
  BoundaryBuffer tensor;
  uint64_t scalar = 0;
  bool isScalar = false, isPacked = false;
  /// Bytes per element of an unpacked tensor's data.
  unsigned elementBytes = 0;

  /// Made on demand: a scalar's buffer and a packed tensor's data point
  /// into this value, which moves (and is copied when a vector of them
  /// grows).
  BoundaryBuffer buffer() {
    if (isScalar)
      return BoundaryBuffer::scalar(&scalar);
    BoundaryBuffer result = tensor;
    if (isPacked)
      result.data = packed.data();
    return result;
  }
};

/// The stored form of `value`; its buffer points into `value` when the
/// element type is not packed, so `value` must outlive it.
StoredValue store(HostValue &value);
/// Copies what compiled code wrote into `stored` back into `value`.
void load(HostValue &value, const StoredValue &stored);

} // namespace lowp

#endif // LOWP_RUNTIME_HOSTVALUE_H
