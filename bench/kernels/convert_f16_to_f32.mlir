// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// f16 -> f32, exact: 128 MiB in, 256 MiB out.
func.func @convert_f16_to_f32(%x: tensor<67108864xf16>) -> tensor<67108864xf32> {
  %y = lowp.convert %x : tensor<67108864xf16> to tensor<67108864xf32>
  return %y : tensor<67108864xf32>
}
