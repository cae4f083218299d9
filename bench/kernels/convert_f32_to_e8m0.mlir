// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// positive f32 -> E8M0FNU (powers of two, no zero), rounding to nearest,
// ties to the even code (lowp.convert's default, docs/Numerics.md):
// 256 MiB in, 64 MiB out.
func.func @convert_f32_to_e8m0(%x: tensor<67108864xf32>) -> tensor<67108864xf8E8M0FNU> {
  %y = lowp.convert %x : tensor<67108864xf32> to tensor<67108864xf8E8M0FNU>
  return %y : tensor<67108864xf8E8M0FNU>
}
