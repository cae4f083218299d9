// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_nvfp4.mlir, through lowp.matmul's transpose_rhs.
// NVFP4 weights: E2M1 elements, packed two per byte along K, one E4M3
// scale per 16 values along K, and one f32 tensor scale.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_nvfp4_nk_weights = tensor<14336x4096xf4E2M1FN,
    #lowp.block_scaled<block = [1, 16], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>

func.func @gemv_nvfp4_nk(%x: tensor<1x4096xf32>, %w: !gemv_nvfp4_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_nvfp4_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
