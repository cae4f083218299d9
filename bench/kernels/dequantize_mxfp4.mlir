// MXFP4 dequantization of 64Mi values (lowp-bench, docs/Benchmarks.md):
// packed E2M1 elements (32 MiB) and one E8M0 scale per 32 (2 MiB) in,
// f32 values (256 MiB) out; exact.
func.func @dequantize_mxfp4(%q: tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>>)
    -> tensor<67108864xf32> {
  %x = lowp.dequantize %q
      : tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>> to tensor<67108864xf32>
  return %x : tensor<67108864xf32>
}
