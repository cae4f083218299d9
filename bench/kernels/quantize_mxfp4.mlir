// MXFP4 quantization of 64Mi f32 values (lowp-bench, docs/Benchmarks.md):
// 256 MiB in; out, per 32 consecutive values, one E8M0 scale by the OCP
// floor rule (2 MiB in all) and 32 E2M1 elements rounded to nearest even,
// saturating, packed two per byte (32 MiB in all).
func.func @quantize_mxfp4(%x: tensor<67108864xf32>)
    -> tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>> {
  %q = lowp.quantize %x
      : tensor<67108864xf32> to tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>>
  return %q : tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>>
}
