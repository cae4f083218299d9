// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096: PyTorch nn.Linear, ggml and safetensors' layout), f32
// activations and results (lowp-bench, docs/Benchmarks.md); the N x K twin
// of gemv_e3m0.mlir, through lowp.matmul's transpose_rhs.
// A 4-bit format that only lowp spells: E3M0, sign and 3 exponent bits,
// every code finite (0 and +-2^-2 .. 2^4, a logarithmic grid), packed two
// per byte along K, with one E8M0 scale per 32 values along K.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_e3m0_nk_weights = tensor<14336x4096x!lowp.float<e3m0, finite>,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_e3m0_nk(%x: tensor<1x4096xf32>, %w: !gemv_e3m0_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_e3m0_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
