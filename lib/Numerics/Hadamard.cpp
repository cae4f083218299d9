//===- Hadamard.cpp - The randomized Hadamard transform of a block --------===//

#include "lowp/Numerics/Hadamard.h"

#include <cmath>

float lowp::numerics::hadamardScale(int64_t block) {
  // 1 / sqrt(block) correctly rounded to f32: through double, whose
  // rounding cannot land on an f32 tie for these values.
  return float(1.0 / std::sqrt(double(block)));
}

void lowp::numerics::hadamardBlock(float *values, int64_t block, int64_t stride,
                                   const float *signs) {
  auto at = [&](int64_t j) -> float & { return values[j * stride]; };
  for (int64_t j = 0; j < block; ++j)
    at(j) = at(j) * signs[j];
  for (int64_t h = 1; h < block; h *= 2)
    for (int64_t j = 0; j < block; ++j) {
      if (j % (2 * h) >= h)
        continue;
      float a = at(j), b = at(j + h);
      float sum = a + b;
      float difference = a - b;
      at(j) = sum;
      at(j + h) = difference;
    }
  float scale = hadamardScale(block);
  for (int64_t j = 0; j < block; ++j)
    at(j) = at(j) * scale;
}

void lowp::numerics::hadamardTensor(float *values, const int64_t *shape,
                                    int64_t rank, int64_t axis, int64_t block,
                                    const float *signs) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1; d < rank; ++d)
    inner *= shape[d];
  int64_t length = shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t start = 0; start < length; start += block)
      for (int64_t i = 0; i < inner; ++i)
        hadamardBlock(&values[(o * length + start) * inner + i], block, inner,
                      signs);
}
