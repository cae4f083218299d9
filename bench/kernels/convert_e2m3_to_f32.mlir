// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// FP6 E2M3FN (packed, four codes per 3 bytes) -> f32, exact: 48 MiB in,
// 256 MiB out.
func.func @convert_e2m3_to_f32(%x: tensor<67108864xf6E2M3FN>) -> tensor<67108864xf32> {
  %y = lowp.convert %x : tensor<67108864xf6E2M3FN> to tensor<67108864xf32>
  return %y : tensor<67108864xf32>
}
