// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// f32 -> f16, rounding to nearest even, subnormals kept: 256 MiB in,
// 128 MiB out.
func.func @convert_f32_to_f16(%x: tensor<67108864xf32>) -> tensor<67108864xf16> {
  %y = lowp.convert %x : tensor<67108864xf32> to tensor<67108864xf16>
  return %y : tensor<67108864xf16>
}
