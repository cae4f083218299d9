// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_mxfp8.mlir, through lowp.matmul's transpose_rhs.
// MXFP8 E4M3 weights: one byte per element, one E8M0 scale per 32 values
// along K.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_mxfp8_nk_weights = tensor<14336x4096xf8E4M3FN,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_mxfp8_nk(%x: tensor<1x4096xf32>, %w: !gemv_mxfp8_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_mxfp8_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
