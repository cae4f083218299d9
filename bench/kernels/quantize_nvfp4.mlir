// NVFP4 quantization of 64Mi f32 values (lowp-bench, docs/Benchmarks.md):
// 256 MiB in, read twice (the tensor's amax first); out, one f32 tensor
// scale 1 / (2688 / amax), per 16 consecutive values one E4M3 scale (4 MiB
// in all) and 16 E2M1 elements rounded to nearest even, saturating, packed
// two per byte (32 MiB in all), by NVIDIA's f32 steps (docs/Numerics.md).
func.func @quantize_nvfp4(%x: tensor<67108864xf32>)
    -> tensor<67108864xf4E2M1FN, #lowp.block_scaled<nvfp4>> {
  %q = lowp.quantize %x
      : tensor<67108864xf32> to tensor<67108864xf4E2M1FN, #lowp.block_scaled<nvfp4>>
  return %q : tensor<67108864xf4E2M1FN, #lowp.block_scaled<nvfp4>>
}
