// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// FP4 E2M1 (packed, two codes per byte) -> f32, exact: 32 MiB in,
// 256 MiB out.
func.func @convert_e2m1_to_f32(%x: tensor<67108864xf4E2M1FN>) -> tensor<67108864xf32> {
  %y = lowp.convert %x : tensor<67108864xf4E2M1FN> to tensor<67108864xf32>
  return %y : tensor<67108864xf32>
}
