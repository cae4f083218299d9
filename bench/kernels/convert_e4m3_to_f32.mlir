// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// FP8 E4M3FN -> f32, exact: 64 MiB in, 256 MiB out.
func.func @convert_e4m3_to_f32(%x: tensor<67108864xf8E4M3FN>) -> tensor<67108864xf32> {
  %y = lowp.convert %x : tensor<67108864xf8E4M3FN> to tensor<67108864xf32>
  return %y : tensor<67108864xf32>
}
