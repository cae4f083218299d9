// int4-g128 to MXFP4 of 64Mi values, a GPTQ checkpoint's weights made MX
// (lowp-bench, docs/Benchmarks.md): packed ui4 elements (32 MiB), f16
// scales and packed ui4 zero points per 128 in; per 32 values one E8M0
// scale (2 MiB) and packed E2M1 elements (32 MiB) out. Written as
// importers do, a quantize of a dequantize, which lowp-propagate-scales
// makes one lowp.requantize, computed without the f32 tensor between
// (docs/Lowering.md).
func.func @requantize_int4_g128_to_mxfp4(%q: tensor<67108864xui4, #lowp.block_scaled<int4_g128>>)
    -> tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>> {
  %x = lowp.dequantize %q
      : tensor<67108864xui4, #lowp.block_scaled<int4_g128>> to tensor<67108864xf32>
  %r = lowp.quantize %x
      : tensor<67108864xf32> to tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>>
  return %r : tensor<67108864xf4E2M1FN, #lowp.block_scaled<mx>>
}
