/* Includes the headers of two modules that declare the same descriptor
 * types (aot.test compiles it as C and as C++). */
#include "kernels.h"
#include "second.h"

int main(void) {
  lowp_memref_float_1d x;
  lowp_memref_uint8_1d y;
  (void)x;
  (void)y;
  return 0;
}
