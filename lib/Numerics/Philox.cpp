//===- Philox.cpp - Counter-based random numbers (Philox 4x32-10) ---------===//

#include "lowp/Numerics/Philox.h"

using namespace lowp::numerics;

std::array<uint32_t, 4>
lowp::numerics::philox4x32(std::array<uint32_t, 4> counter,
                           std::array<uint32_t, 2> key) {
  for (int round = 0; round < kPhiloxRounds; ++round) {
    if (round > 0) {
      key[0] += kPhiloxKeyIncrement0;
      key[1] += kPhiloxKeyIncrement1;
    }
    uint64_t product0 = uint64_t(kPhiloxMultiplier0) * counter[0];
    uint64_t product1 = uint64_t(kPhiloxMultiplier1) * counter[2];
    counter = {
        uint32_t(product1 >> 32) ^ counter[1] ^ key[0], uint32_t(product1),
        uint32_t(product0 >> 32) ^ counter[3] ^ key[1], uint32_t(product0)};
  }
  return counter;
}

uint32_t lowp::numerics::randomBits(uint64_t seed, uint64_t offset,
                                    uint64_t index) {
  uint64_t block = offset + index / 4;
  std::array<uint32_t, 4> words =
      philox4x32({uint32_t(block), uint32_t(block >> 32), 0, 0},
                 {uint32_t(seed), uint32_t(seed >> 32)});
  return words[index % 4];
}
