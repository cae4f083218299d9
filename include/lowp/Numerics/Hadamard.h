//===- Hadamard.h - The randomized Hadamard transform of a block -*- C++
//-*-===//
//
// lowp.hadamard's definition, bit for bit (docs/Numerics.md, "Hadamard
// transform"): signs, then log2(B) butterfly passes in f32, then one
// multiply by f32(1 / sqrt(B)).
//
//===----------------------------------------------------------------------===//

#ifndef LOWP_NUMERICS_HADAMARD_H
#define LOWP_NUMERICS_HADAMARD_H

#include <cstdint>

namespace lowp::numerics {

/// f32(1 / sqrt(block)), the transform's normalization.
float hadamardScale(int64_t block);

/// Transforms `block` floats (a power of two), `stride` apart from `values`
/// on, in place: v_j = signs[j] * x_j; for h = 1, 2, ..., block / 2 and j
/// mod 2h < h, (v_j, v_{j+h}) = (v_j + v_{j+h}, v_j - v_{j+h}); then
/// v_j * hadamardScale(block). Each operation is one f32 rounding.
void hadamardBlock(float *values, int64_t block, int64_t stride,
                   const float *signs);

/// Transforms every block of `block` consecutive elements along dimension
/// `axis` of a row-major tensor of `shape` in place (hadamardBlock on
/// each), `signs` the block's signs.
void hadamardTensor(float *values, const int64_t *shape, int64_t rank,
                    int64_t axis, int64_t block, const float *signs);

} // namespace lowp::numerics

#endif // LOWP_NUMERICS_HADAMARD_H
