// int4-g128 dequantization of 64Mi values (lowp-bench,
// docs/Benchmarks.md): packed ui4 elements q (32 MiB), one f16 scale s
// (1 MiB) and one packed ui4 zero point z (256 KiB) per 128 in, f32
// values (q - z) * s (256 MiB) out; exact.
func.func @dequantize_int4_g128(%q: tensor<67108864xui4, #lowp.block_scaled<int4_g128>>)
    -> tensor<67108864xf32> {
  %x = lowp.dequantize %q
      : tensor<67108864xui4, #lowp.block_scaled<int4_g128>> to tensor<67108864xf32>
  return %x : tensor<67108864xf32>
}
