//===- Packing.cpp - Rows of sub-byte codes as bit streams ----------------===//
//
// Rows are streamed through a 64-bit accumulator, so that packing the
// hundreds of megabytes of a large weight runs at memory speed.
//
//===----------------------------------------------------------------------===//

#include "lowp/Runtime/Packing.h"

#include <cstddef>
#include <cstring>

namespace {
/// Packs one row of codes, `code(j)` giving the j-th, into `out`.
template <typename CodeAt>
void packRow(CodeAt code, int64_t rowLength, unsigned width, uint8_t *out) {
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t pending = 0;
  unsigned bits = 0;
  for (int64_t j = 0; j < rowLength; ++j) {
    pending |= (code(j) & mask) << bits;
    bits += width;
    while (bits >= 8) {
      *out++ = uint8_t(pending);
      pending >>= 8;
      bits -= 8;
    }
  }
  if (bits)
    *out = uint8_t(pending);
}

/// Unpacks one row, handing each code to `store(j, code)`.
template <typename StoreAt>
void unpackRow(const uint8_t *in, int64_t rowLength, unsigned width,
               StoreAt store) {
  uint64_t mask = (uint64_t(1) << width) - 1;
  uint64_t pending = 0;
  unsigned bits = 0;
  for (int64_t j = 0; j < rowLength; ++j) {
    if (bits < width) {
      pending |= uint64_t(*in++) << bits;
      bits += 8;
    }
    store(j, pending & mask);
    pending >>= width;
    bits -= width;
  }
}
} // namespace

std::vector<uint8_t> lowp::packRows(const std::vector<uint64_t> &codes,
                                    int64_t rowLength, unsigned width) {
  if (rowLength == 0)
    return {};
  int64_t rows = int64_t(codes.size()) / rowLength;
  int64_t rowBytes = packedRowBytes(rowLength, width);
  std::vector<uint8_t> bytes(std::size_t(rows * rowBytes), 0);
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t *row = codes.data() + r * rowLength;
    packRow([&](int64_t j) { return row[j]; }, rowLength, width,
            bytes.data() + r * rowBytes);
  }
  return bytes;
}

std::vector<uint64_t> lowp::unpackRows(const std::vector<uint8_t> &bytes,
                                       int64_t rowLength, unsigned width) {
  int64_t rowBytes = packedRowBytes(rowLength, width);
  if (rowBytes == 0)
    return {};
  int64_t rows = int64_t(bytes.size()) / rowBytes;
  std::vector<uint64_t> codes(std::size_t(rows * rowLength), 0);
  for (int64_t r = 0; r < rows; ++r) {
    uint64_t *row = codes.data() + r * rowLength;
    unpackRow(bytes.data() + r * rowBytes, rowLength, width,
              [&](int64_t j, uint64_t code) { row[j] = code; });
  }
  return codes;
}

std::vector<uint8_t> lowp::packRows(const std::vector<uint8_t> &containers,
                                    unsigned containerBytes, int64_t rowLength,
                                    unsigned width) {
  if (rowLength == 0 || containerBytes == 0)
    return {};
  int64_t rows = int64_t(containers.size() / containerBytes) / rowLength;
  int64_t rowBytes = packedRowBytes(rowLength, width);
  std::vector<uint8_t> bytes(std::size_t(rows * rowBytes), 0);
  for (int64_t r = 0; r < rows; ++r) {
    const uint8_t *row = containers.data() + r * rowLength * containerBytes;
    uint8_t *out = bytes.data() + r * rowBytes;
    if (containerBytes == 1)
      packRow([&](int64_t j) { return uint64_t(row[j]); }, rowLength, width,
              out);
    else
      packRow(
          [&](int64_t j) {
            uint64_t code = 0;
            std::memcpy(&code, row + j * containerBytes, containerBytes);
            return code;
          },
          rowLength, width, out);
  }
  return bytes;
}

void lowp::unpackRows(const std::vector<uint8_t> &bytes, int64_t rowLength,
                      unsigned width, std::vector<uint8_t> &containers,
                      unsigned containerBytes) {
  int64_t rowBytes = packedRowBytes(rowLength, width);
  if (rowBytes == 0 || containerBytes == 0)
    return;
  int64_t rows = int64_t(bytes.size()) / rowBytes;
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t *row = containers.data() + r * rowLength * containerBytes;
    const uint8_t *in = bytes.data() + r * rowBytes;
    if (containerBytes == 1)
      unpackRow(in, rowLength, width,
                [&](int64_t j, uint64_t code) { row[j] = uint8_t(code); });
    else
      unpackRow(in, rowLength, width, [&](int64_t j, uint64_t code) {
        std::memcpy(row + j * containerBytes, &code, containerBytes);
      });
  }
}
