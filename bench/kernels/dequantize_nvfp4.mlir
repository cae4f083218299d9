// NVFP4 dequantization of 64Mi values (lowp-bench, docs/Benchmarks.md):
// packed E2M1 elements (32 MiB), one E4M3 scale per 16 (4 MiB) and one
// f32 tensor scale in, f32 values (256 MiB) out, each
// element * scale * tensor_scale rounded once to f32.
func.func @dequantize_nvfp4(%q: tensor<67108864xf4E2M1FN, #lowp.block_scaled<nvfp4>>)
    -> tensor<67108864xf32> {
  %x = lowp.dequantize %q
      : tensor<67108864xf4E2M1FN, #lowp.block_scaled<nvfp4>> to tensor<67108864xf32>
  return %x : tensor<67108864xf32>
}
