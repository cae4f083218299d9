// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// f32 -> FP6 E2M3FN, rounding to nearest even (lowp.convert's default;
// E2M3 has no inf or NaN, so overflow gives +-7.5): 256 MiB in, 48 MiB
// out (the result crosses the function boundary packed, four 6-bit codes
// per 3 bytes, code j in bits [6j, 6j + 6) of a little-endian stream).
func.func @convert_f32_to_e2m3(%x: tensor<67108864xf32>) -> tensor<67108864xf6E2M3FN> {
  %y = lowp.convert %x : tensor<67108864xf32> to tensor<67108864xf6E2M3FN>
  return %y : tensor<67108864xf6E2M3FN>
}
