// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// NVFP4 weights: E2M1 elements, one E4M3 scale per 16 values along K,
// and one f32 tensor scale.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_nvfp4_weights = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>

func.func @gemv_nvfp4(%x: tensor<1x4096xf32>, %w: !gemv_nvfp4_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_nvfp4_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
