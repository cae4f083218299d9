//===- PhiloxTest.cpp - Philox 4x32-10 against Random123's answers --------===//
//
// The known-answer vectors of Random123's kat_vectors for philox4x32_10
// (counter, key -> output), the library the generator's authors published
// with it; and how random_bits lays the words out.
//
//===----------------------------------------------------------------------===//

#include "lowp/Numerics/Philox.h"

#include <gtest/gtest.h>

#include <set>

using namespace lowp::numerics;

namespace {

TEST(Philox, Random123KnownAnswers) {
  using Words = std::array<uint32_t, 4>;
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}),
            (Words{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
                       {0xffffffff, 0xffffffff}),
            (Words{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
                       {0xa4093822, 0x299f31d0}),
            (Words{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, RandomBitsLayout) {
  // Element i is word i mod 4 of the counter offset + i / 4.
  for (uint64_t i = 0; i < 12; ++i) {
    std::array<uint32_t, 4> words =
        philox4x32({uint32_t(7 + i / 4), 0, 0, 0}, {0x89abcdefu, 0x01234567u});
    EXPECT_EQ(randomBits(0x0123456789abcdefull, 7, i), words[i % 4]) << i;
  }
  // The counter carries into its second word, modulo 2^64.
  EXPECT_EQ(randomBits(5, 0xffffffffull, 4),
            philox4x32({0, 1, 0, 0}, {5, 0})[0]);
  EXPECT_EQ(randomBits(5, ~0ull, 4), philox4x32({0, 0, 0, 0}, {5, 0})[0]);
}

TEST(Philox, BitsAreBalancedAndDistinct) {
  // Each of the 32 bits is set in about half of 2^16 words (within 6
  // standard deviations, 0.0117 of the count), and no word repeats more
  // than a handful of times (2^16 draws from 2^32).
  constexpr int kCount = 1 << 16;
  int ones[32] = {};
  std::set<uint32_t> seen;
  for (uint64_t i = 0; i < kCount; ++i) {
    uint32_t word = randomBits(42, 0, i);
    seen.insert(word);
    for (int b = 0; b < 32; ++b)
      ones[b] += (word >> b) & 1;
  }
  for (int b = 0; b < 32; ++b)
    EXPECT_NEAR(ones[b], kCount / 2, 6 * 128) << "bit " << b;
  EXPECT_GT(seen.size(), size_t(kCount - 8));
}

} // namespace
