// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// f32 -> FP8 E4M3FN, rounding to nearest even, not saturating
// (lowp.convert's defaults): 256 MiB in, 64 MiB out.
func.func @convert_f32_to_e4m3(%x: tensor<67108864xf32>) -> tensor<67108864xf8E4M3FN> {
  %y = lowp.convert %x : tensor<67108864xf32> to tensor<67108864xf8E4M3FN>
  return %y : tensor<67108864xf8E4M3FN>
}
