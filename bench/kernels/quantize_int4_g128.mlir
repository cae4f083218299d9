// int4-g128 quantization of 64Mi f32 values (lowp-bench,
// docs/Benchmarks.md): 256 MiB in; out, per 128 consecutive values, the
// minmax rule's f16 scale (1 MiB in all) and ui4 zero point (packed two
// per byte, 256 KiB in all) and 128 ui4 elements (packed, 32 MiB in all).
func.func @quantize_int4_g128(%x: tensor<67108864xf32>)
    -> tensor<67108864xui4, #lowp.block_scaled<int4_g128>> {
  %q = lowp.quantize %x
      : tensor<67108864xf32> to tensor<67108864xui4, #lowp.block_scaled<int4_g128>>
  return %q : tensor<67108864xui4, #lowp.block_scaled<int4_g128>>
}
