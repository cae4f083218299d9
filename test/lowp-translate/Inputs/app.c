/* Calls functions compiled ahead of time by lowp-translate through the
 * header it generated. */
#include <stdio.h>

#include "kernels.h"

int main(void) {
  /* f32 -> i4, rounded to nearest even and clamped. */
  float values[4] = {1.0f, -2.5f, 7.0f, -9.0f};
  int8_t quantized[4];
  lowp_memref_float_1d in = {values, values, 0, {4}, {1}};
  lowp_memref_int8_1d out = {quantized, quantized, 0, {4}, {1}};
  _mlir_ciface_to_i4(&in, &out);
  for (int i = 0; i < 4; ++i)
    printf("i4 %d\n", quantized[i]);

  /* A scalar through E4M3FN and back. */
  printf("e4m3 %g\n", _mlir_ciface_scalar(0.3f));

  /* MXFP4 quantization: 32 values, one block; the parts come back as E2M1
   * codes and one E8M0 scale code. */
  float block[32];
  for (int i = 0; i < 32; ++i)
    block[i] = (float)i - 16.0f;
  uint8_t codes[32], scale;
  lowp_memref_float_1d x = {block, block, 0, {32}, {1}};
  lowp_memref_uint8_1d elements = {codes, codes, 0, {32}, {1}};
  lowp_memref_uint8_1d scales = {&scale, &scale, 0, {1}, {1}};
  _mlir_ciface_mxfp4(&x, &elements, &scales);
  printf("scale 0x%02X first 0x%X last 0x%X\n", scale, codes[0], codes[31]);
  return 0;
}
