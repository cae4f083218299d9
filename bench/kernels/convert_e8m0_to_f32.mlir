// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// E8M0FNU -> f32, exact (2^-127 is an f32 subnormal): 64 MiB in,
// 256 MiB out.
func.func @convert_e8m0_to_f32(%x: tensor<67108864xf8E8M0FNU>) -> tensor<67108864xf32> {
  %y = lowp.convert %x : tensor<67108864xf8E8M0FNU> to tensor<67108864xf32>
  return %y : tensor<67108864xf32>
}
