// Elementwise conversion of 64Mi values (lowp-bench, docs/Benchmarks.md):
// f32 -> FP4 E2M1, rounding to nearest even: 256 MiB in, 32 MiB out (the
// result crosses the function boundary packed, two codes per byte).
func.func @convert_f32_to_e2m1(%x: tensor<67108864xf32>) -> tensor<67108864xf4E2M1FN> {
  %y = lowp.convert %x : tensor<67108864xf32> to tensor<67108864xf4E2M1FN>
  return %y : tensor<67108864xf4E2M1FN>
}
