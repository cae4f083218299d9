//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reading and writing the .npy format (versions 1-3): little-endian,
// C-ordered arrays of bool, signed and unsigned integers and IEEE floats.
// Plain C++; errors are returned as messages, never thrown or asserted.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_RUNTIME_NPY_H
#define LOWP_RUNTIME_NPY_H

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace lowp::npy {

/// The element kinds .npy files can hold that lowp reads.
enum class Kind { Bool, Signed, Unsigned, Float };

struct DType {
  Kind kind = Kind::Float;
  unsigned bytes = 4;

  /// The numpy spelling: "<f4", "|u1", ...
  std::string str() const;
  bool operator==(const DType &other) const {
    return kind == other.kind && bytes == other.bytes;
  }
};

struct Array {
  DType dtype;
  std::vector<int64_t> shape;
  /// Row-major element bytes, little-endian.
  std::vector<uint8_t> data;

  int64_t numElements() const;
};

/// Reads `path`; on failure returns false and sets `error` to one line.
bool read(const std::string &path, Array &array, std::string &error);
/// The same from a stream holding a .npy file's bytes, `path` naming it in
/// errors.
bool read(std::istream &file, const std::string &path, Array &array,
          std::string &error);
/// Writes `array` to `path`; on failure returns false and sets `error`.
bool write(const std::string &path, const Array &array, std::string &error);

/// "[2, 3]" for printing shapes in messages.
std::string shapeString(const std::vector<int64_t> &shape);

} // namespace lowp::npy

#endif // LOWP_RUNTIME_NPY_H
