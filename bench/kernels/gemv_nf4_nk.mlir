// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_nf4.mlir, through lowp.matmul's transpose_rhs.
// NF4 weights (QLoRA): 4-bit codes into the 16-value NormalFloat table,
// packed two per byte along K, one f32 absmax scale per 64 values along K
// (bitsandbytes' block size).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_nf4_nk_weights = tensor<14336x4096x!lowp.codebook<nf4>,
    #lowp.block_scaled<block = [1, 64], scale = f32, rule = absmax>>

func.func @gemv_nf4_nk(%x: tensor<1x4096xf32>, %w: !gemv_nf4_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_nf4_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
