/* Calls functions compiled ahead of time by lowp-translate through the
 * header it generated. */
#include <stdio.h>

#include "kernels.h"

int main(void) {
  /* f32 -> i4, rounded to nearest even and clamped; four 4-bit codes
   * packed into two bytes, low nibble first. */
  float values[4] = {1.0f, -2.5f, 7.0f, -9.0f};
  uint8_t packed[2];
  lowp_memref_float_1d in = {values, values, 0, {4}, {1}};
  lowp_memref_uint8_1d out = {packed, packed, 0, {2}, {1}};
  _mlir_ciface_to_i4(&in, &out);
  for (int i = 0; i < 4; ++i) {
    int code = (packed[i / 2] >> (4 * (i % 2))) & 0xF;
    printf("i4 %d\n", code >= 8 ? code - 16 : code);
  }

  /* A scalar through E4M3FN and back. */
  printf("e4m3 %g\n", _mlir_ciface_scalar(0.3f));

  /* MXFP4 quantization: 32 values, one block; the parts come back as E2M1
   * codes packed two per byte and one E8M0 scale code. */
  float block[32];
  for (int i = 0; i < 32; ++i)
    block[i] = (float)i - 16.0f;
  uint8_t codes[16], scale;
  lowp_memref_float_1d x = {block, block, 0, {32}, {1}};
  lowp_memref_uint8_1d elements = {codes, codes, 0, {16}, {1}};
  lowp_memref_uint8_1d scales = {&scale, &scale, 0, {1}, {1}};
  _mlir_ciface_mxfp4(&x, &elements, &scales);
  printf("scale 0x%02X first 0x%X last 0x%X\n", scale, codes[0] & 0xF,
         codes[15] >> 4);
  return 0;
}
