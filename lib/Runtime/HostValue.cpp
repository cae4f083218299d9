//===- HostValue.cpp - Arrays at a compiled function's boundary -----------===//

#include "lowp/Runtime/HostValue.h"

#include "lowp/Dialect/Lowp/IR/LowpTypes.h"
#include "lowp/Numerics/Format.h"
#include "lowp/Runtime/Packing.h"

#include "mlir/IR/BuiltinTypes.h"

#include <algorithm>
#include <cstring>

using namespace mlir;
using namespace lowp;

namespace {
std::string typeString(Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}
} // namespace

/// i1, the type of comparisons: numpy's bool at the boundary, true its set
/// bit (the value -1 of a signed 1-bit integer).
bool lowp::isBoolean(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.getWidth() == 1 && !integer.isUnsigned();
}

uint64_t HostValue::code(int64_t i) const {
  uint64_t value = 0;
  std::memcpy(&value, bytes.data() + i * boundary.storageBytes(),
              boundary.storageBytes());
  if (auto integer = dyn_cast<IntegerType>(boundary.elementType))
    if (integer.getWidth() < 64)
      value &= (uint64_t(1) << integer.getWidth()) - 1;
  return value;
}

void HostValue::setCode(int64_t i, uint64_t code) {
  // An i1 is stored as LLVM stores it, one byte of 0 or 1, not sign
  // extended.
  if (isBoolean(boundary.elementType))
    code &= 1;
  std::memcpy(bytes.data() + i * boundary.storageBytes(), &code,
              boundary.storageBytes());
}

/// 64-bit integers and index, which cross the boundary as numpy
/// int64/uint64 values and have no numerics format.
bool lowp::isWideInteger(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return (integer && integer.getWidth() == 64) || isa<IndexType>(type);
}

bool lowp::isUnsignedInteger(Type type) {
  auto integer = dyn_cast<IntegerType>(type);
  return integer && integer.isUnsigned();
}

bool lowp::isNativeFloat(Type type) {
  return type.isF16() || type.isF32() || type.isF64();
}

bool lowp::toHostValue(npy::Array array, const BoundaryValue &boundary,
                       const std::string &where, HostValue &value,
                       std::string &error) {
  auto fail = [&](const std::string &message) {
    error = message;
    return false;
  };
  Type element = boundary.elementType;
  value = HostValue{boundary, array.shape, {}};
  if (boundary.isScalar) {
    if (!array.shape.empty() && array.numElements() != 1)
      return fail(where + ": expected a scalar (a 0-d array), got shape " +
                  npy::shapeString(array.shape));
    value.shape = {};
  } else {
    bool matches = array.shape.size() == boundary.shape.size();
    for (size_t d = 0; matches && d < array.shape.size(); ++d)
      matches = ShapedType::isDynamic(boundary.shape[d]) ||
                boundary.shape[d] == array.shape[d];
    if (!matches) {
      std::vector<int64_t> expected = boundary.shape;
      std::string text = "[";
      for (size_t d = 0; d < expected.size(); ++d)
        text += (d ? ", " : "") + (ShapedType::isDynamic(expected[d])
                                       ? std::string("?")
                                       : std::to_string(expected[d]));
      return fail(where + ": expected shape " + text + "], got " +
                  npy::shapeString(array.shape));
    }
  }
  int64_t count = array.numElements();
  value.bytes.assign(size_t(count) * boundary.storageBytes(), 0);
  const npy::DType &dtype = array.dtype;

  if (isNativeFloat(element)) {
    unsigned bytes = element.getIntOrFloatBitWidth() / 8;
    if (dtype.kind != npy::Kind::Float || dtype.bytes != bytes)
      return fail(where + ": expected a float" + std::to_string(8 * bytes) +
                  " array for " + typeString(element) + ", got dtype " +
                  dtype.str());
    value.bytes = array.data;
    return true;
  }
  if (dtype.kind == npy::Kind::Bool) {
    // A bool is the code of i1 (true the set bit) and the value 0 or 1 of
    // any other integer type.
    if (!isa<IntegerType>(element))
      return fail(where + ": expected an integer array of codes for " +
                  typeString(element) + ", got dtype bool");
    for (int64_t i = 0; i < count; ++i) {
      uint8_t raw = array.data[i];
      if (raw > 1)
        return fail(where + ": byte " + std::to_string(raw) + " at index " +
                    std::to_string(i) + " is not a bool (0 or 1)");
      value.setCode(i, raw);
    }
    return true;
  }
  if (dtype.kind == npy::Kind::Float)
    return fail(where + ": expected an integer array of " +
                (isa<IntegerType>(element) ? "values" : "codes") + " for " +
                typeString(element) + ", got dtype " + dtype.str());
  // 64-bit integers have no numerics format (a double cannot hold every
  // value): int64 or uint64 arrays of their values, taken as they are.
  if (isWideInteger(element)) {
    if (dtype.bytes != 8 ||
        (dtype.kind == npy::Kind::Signed) == isUnsignedInteger(element))
      return fail(where + ": expected an " +
                  std::string(isUnsignedInteger(element) ? "uint64" : "int64") +
                  " array for " + typeString(element) + ", got dtype " +
                  dtype.str());
    value.bytes = std::move(array.data);
    return true;
  }
  std::optional<numerics::Format> format = getNumericFormat(element);
  unsigned width = format->getBitWidth();
  // The common case, an array of codes (or of integer values) already in
  // the storage layout: check every element in one pass and take the bytes
  // as they are.
  auto integer = dyn_cast<IntegerType>(element);
  bool signedValues = integer && format->getInteger().isSigned;
  if (dtype.bytes == 1 && boundary.storageBytes() == 1 &&
      (dtype.kind == npy::Kind::Signed) == signedValues) {
    const uint8_t *raw = array.data.data();
    int64_t bad = -1;
    if (signedValues) {
      int low = -(1 << (width - 1)), high = (1 << (width - 1)) - 1;
      bool fits = true;
      for (int64_t i = 0; i < count; ++i) {
        int v = int8_t(raw[i]);
        fits &= v >= low && v <= high;
      }
      if (!fits)
        for (bad = 0; int8_t(raw[bad]) >= low && int8_t(raw[bad]) <= high;)
          ++bad;
    } else {
      unsigned limit = format->isCodebook()
                           ? unsigned(format->getCodebook().values.size())
                           : 1u << width;
      uint8_t largest = 0;
      for (int64_t i = 0; i < count; ++i)
        largest = std::max(largest, raw[i]);
      if (largest >= limit)
        for (bad = 0; raw[bad] < limit;)
          ++bad;
    }
    if (bad < 0) {
      value.bytes = std::move(array.data);
      return true;
    }
    // Fall through: the loop below names the element that does not fit.
  }
  for (int64_t i = 0; i < count; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, array.data.data() + i * dtype.bytes, dtype.bytes);
    int64_t signedValue = int64_t(raw);
    if (dtype.kind == npy::Kind::Signed && dtype.bytes < 8) {
      unsigned shift = 64 - 8 * dtype.bytes;
      signedValue = int64_t(raw << shift) >> shift;
    }
    bool isSigned = dtype.kind == npy::Kind::Signed;
    uint64_t code;
    if (auto integer = dyn_cast<IntegerType>(element);
        integer && format->getInteger().isSigned) {
      int64_t low = -(int64_t(1) << (width - 1)),
              high = (int64_t(1) << (width - 1)) - 1;
      int64_t v = isSigned ? signedValue : int64_t(raw);
      if ((!isSigned && raw > uint64_t(high)) || v < low || v > high)
        return fail(
            where + ": value " +
            (isSigned ? std::to_string(signedValue) : std::to_string(raw)) +
            " at index " + std::to_string(i) + " does not fit in " +
            typeString(element));
      code = uint64_t(v); // the value, sign-extended in its container
    } else {
      bool negative = isSigned && signedValue < 0;
      uint64_t limit = uint64_t(1) << width;
      if (negative || raw >= limit ||
          (format->isCodebook() && raw >= format->getCodebook().values.size()))
        return fail(
            where + ": " +
            (negative ? std::to_string(signedValue) : std::to_string(raw)) +
            " at index " + std::to_string(i) + " is not a " +
            (isa<IntegerType>(element) ? "value" : "code") + " of " +
            typeString(element));
      code = raw;
    }
    value.setCode(i, code);
  }
  return true;
}

npy::Array lowp::toNpy(const HostValue &value) {
  npy::Array array;
  array.shape = value.shape;
  array.dtype = getBoundaryDType(value.boundary);
  array.data = value.bytes;
  auto integer = dyn_cast<IntegerType>(value.boundary.elementType);
  bool isSigned = integer && !integer.isUnsigned() && !isBoolean(integer) &&
                  integer.getWidth() < 64;
  if (isSigned) {
    // Sign-extend the width-bit code into the container.
    unsigned width = integer.getWidth();
    HostValue copy = value;
    for (int64_t i = 0; i < value.numElements(); ++i) {
      uint64_t code = value.code(i);
      int64_t v = int64_t(code << (64 - width)) >> (64 - width);
      copy.setCode(i, uint64_t(v));
    }
    array.data = copy.bytes;
  }
  return array;
}

StoredValue lowp::store(HostValue &value) {
  StoredValue stored;
  if (value.boundary.isScalar) {
    stored.scalar = value.code(0);
    stored.isScalar = true;
    return stored;
  }
  std::vector<int64_t> shape = value.shape;
  stored.elementBytes = value.boundary.storageBytes();
  if (!value.boundary.packedWidth) {
    // Keep a valid pointer for empty tensors.
    value.bytes.reserve(1);
    stored.tensor = BoundaryBuffer::tensor(value.bytes.data(), shape);
    return stored;
  }
  stored.packed = packRows(value.bytes, value.boundary.storageBytes(),
                           value.shape.back(), value.boundary.packedWidth);
  shape.back() = packedRowBytes(value.shape.back(), value.boundary.packedWidth);
  // Keep a valid pointer for empty tensors.
  stored.packed.reserve(1);
  stored.isPacked = true;
  stored.tensor = BoundaryBuffer::tensor(nullptr, shape);
  return stored;
}

void lowp::load(HostValue &value, const StoredValue &stored) {
  if (value.boundary.isScalar) {
    value.setCode(0, stored.scalar);
    return;
  }
  if (!value.boundary.packedWidth)
    return;
  unpackRows(stored.packed, value.shape.back(), value.boundary.packedWidth,
             value.bytes, value.boundary.storageBytes());
}

npy::DType lowp::getBoundaryDType(const BoundaryValue &boundary) {
  Type element = boundary.elementType;
  unsigned bytes = boundary.storageBytes();
  if (isNativeFloat(element))
    return {npy::Kind::Float, bytes};
  if (isBoolean(element))
    return {npy::Kind::Bool, 1};
  if (isa<IndexType>(element))
    return {npy::Kind::Signed, 8};
  auto integer = dyn_cast<IntegerType>(element);
  bool isSigned = integer && !integer.isUnsigned();
  return {isSigned ? npy::Kind::Signed : npy::Kind::Unsigned, bytes};
}
