//===- Packing.cpp - Rows of sub-byte codes as bit streams ----------------===//

#include "lowp/Runtime/Packing.h"

#include <cstddef>

std::vector<uint8_t> lowp::packRows(const std::vector<uint64_t> &codes,
                                    int64_t rowLength, unsigned width) {
  if (rowLength == 0)
    return {};
  int64_t rows = int64_t(codes.size()) / rowLength;
  int64_t rowBytes = packedRowBytes(rowLength, width);
  std::vector<uint8_t> bytes(std::size_t(rows * rowBytes), 0);
  uint64_t mask = (uint64_t(1) << width) - 1;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < rowLength; ++j) {
      uint64_t code = codes[r * rowLength + j] & mask;
      for (unsigned bit = 0; bit < width; ++bit)
        if ((code >> bit) & 1) {
          int64_t position = j * width + bit;
          bytes[r * rowBytes + position / 8] |= uint8_t(1u << (position % 8));
        }
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
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < rowLength; ++j) {
      uint64_t code = 0;
      for (unsigned bit = 0; bit < width; ++bit) {
        int64_t position = j * width + bit;
        code |=
            uint64_t((bytes[r * rowBytes + position / 8] >> (position % 8)) & 1)
            << bit;
      }
      codes[r * rowLength + j] = code;
    }
  return codes;
}
