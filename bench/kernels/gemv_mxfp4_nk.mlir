// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_mxfp4.mlir, through lowp.matmul's transpose_rhs.
// MXFP4 weights (OCP MX v1.0): E2M1 elements, packed two per byte along
// K, and one E8M0 scale per 32 values along K (the floor rule's encoding).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_mxfp4_nk_weights = tensor<14336x4096xf4E2M1FN,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_mxfp4_nk(%x: tensor<1x4096xf32>, %w: !gemv_mxfp4_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_mxfp4_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
