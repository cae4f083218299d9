//===- PackingTest.cpp - The packed-row layout ----------------------------===//

#include "lowp/Runtime/Packing.h"

#include <gtest/gtest.h>

#include <random>

using namespace lowp;

// Tests the worked example of lowp.pack's description: three 3-bit codes
// a, b, c in one row.
TEST(Packing, ThreeBitExample) {
  std::vector<uint8_t> bytes = packRows({0b101, 0b011, 0b110}, 3, 3);
  ASSERT_EQ(bytes.size(), 2u);
  // a in bits 0-2, b in bits 3-5, c's low two bits in bits 6-7.
  EXPECT_EQ(bytes[0], 0b10'011'101);
  // c's top bit in bit 0; the rest is padding (zero).
  EXPECT_EQ(bytes[1], 0b1);
}

// Tests that every row starts on a byte: two rows of 5 two-bit codes take
// two bytes each.
TEST(Packing, RowsArePaddedToBytes) {
  std::vector<uint8_t> bytes = packRows({1, 2, 3, 0, 1, 3, 3, 3, 3, 3}, 5, 2);
  EXPECT_EQ(bytes, (std::vector<uint8_t>{0b00111001, 0b01, 0xFF, 0b11}));
  EXPECT_EQ(packedRowBytes(5, 2), 2);
  EXPECT_EQ(packedRowBytes(7, 7), 7);
}

// Tests round trips at every width 1..7 on rows whose bits do not fill a
// whole number of bytes, and that bits above the width are dropped.
TEST(Packing, RoundTripEveryWidth) {
  std::mt19937 random(9);
  for (unsigned width = 1; width <= 7; ++width)
    for (int64_t rowLength : {1, 3, 7, 13, 64}) {
      std::vector<uint64_t> codes(size_t(rowLength * 3));
      for (uint64_t &code : codes)
        code = random();
      std::vector<uint8_t> bytes = packRows(codes, rowLength, width);
      ASSERT_EQ(bytes.size(), size_t(3 * packedRowBytes(rowLength, width)));
      std::vector<uint64_t> back = unpackRows(bytes, rowLength, width);
      for (size_t i = 0; i < codes.size(); ++i)
        ASSERT_EQ(back[i], codes[i] & ((1u << width) - 1))
            << "width " << width << " row " << rowLength << " index " << i;
    }
}
