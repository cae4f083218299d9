//===- Packing.h - Rows of sub-byte codes as bit streams --------*- C++ -*-===//
//
// The layout of lowp.pack, for runtimes that prepare or read packed data:
// each row of n codes of w bits (w < 8) is a little-endian bit stream of
// ceil(n * w / 8) bytes, code j in bits [j*w, (j+1)*w); padding bits are 0.
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_RUNTIME_PACKING_H
#define LOWP_RUNTIME_PACKING_H

#include <cstdint>
#include <vector>

namespace lowp {

/// Bytes per packed row of `rowLength` codes of `width` bits.
inline int64_t packedRowBytes(int64_t rowLength, unsigned width) {
  return (rowLength * width + 7) / 8;
}

/// Packs `codes` (row-major, rows of `rowLength`); only each code's low
/// `width` bits are kept.
std::vector<uint8_t> packRows(const std::vector<uint64_t> &codes,
                              int64_t rowLength, unsigned width);

/// The codes of `bytes` (rows of packedRowBytes(rowLength, width) bytes).
std::vector<uint64_t> unpackRows(const std::vector<uint8_t> &bytes,
                                 int64_t rowLength, unsigned width);

/// Packs codes held in little-endian containers of `containerBytes` bytes
/// each (lowp's storage layout of unpacked codes), without widening them.
std::vector<uint8_t> packRows(const std::vector<uint8_t> &containers,
                              unsigned containerBytes, int64_t rowLength,
                              unsigned width);

/// Unpacks into `containers` (already sized, `containerBytes` bytes per
/// code, little-endian, high bytes zero).
void unpackRows(const std::vector<uint8_t> &bytes, int64_t rowLength,
                unsigned width, std::vector<uint8_t> &containers,
                unsigned containerBytes);

} // namespace lowp

#endif // LOWP_RUNTIME_PACKING_H
