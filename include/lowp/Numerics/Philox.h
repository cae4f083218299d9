//===- Philox.h - Counter-based random numbers (Philox 4x32-10) --*- C++
//-*-===//
//
// Philox 4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as
// easy as 1, 2, 3", SC 2011; the Random123 library), the generator cuRAND's
// Philox_4x32_10 and JAX use: a bijection of a 128-bit counter under a
// 64-bit key, ten rounds of two 32x32 -> 64-bit multiplications. lowp's
// random_bits gives element i of a tensor the 32-bit word i mod 4 of
// Philox(counter = offset + i / 4, key = seed): the same bits on every
// target and in the reference interpreter (docs/Numerics.md, "Random
// bits").
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_PHILOX_H
#define LOWP_NUMERICS_PHILOX_H

#include <array>
#include <cstdint>

namespace lowp::numerics {

/// Philox 4x32's multipliers and Weyl key increments (Random123).
constexpr uint32_t kPhiloxMultiplier0 = 0xD2511F53u;
constexpr uint32_t kPhiloxMultiplier1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxKeyIncrement0 = 0x9E3779B9u;
constexpr uint32_t kPhiloxKeyIncrement1 = 0xBB67AE85u;
constexpr int kPhiloxRounds = 10;

/// Philox 4x32-10 of `counter` under `key`.
std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter,
                                   std::array<uint32_t, 2> key);

/// The 32 random bits of element `index` of lowp.random_bits with `seed`
/// and `offset`: word index mod 4 of Philox 4x32-10 with the key (seed's
/// low 32 bits, its high 32 bits) and the counter (n's low 32 bits, its
/// high 32 bits, 0, 0), n = offset + index / 4 modulo 2^64.
uint32_t randomBits(uint64_t seed, uint64_t offset, uint64_t index);

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_PHILOX_H
