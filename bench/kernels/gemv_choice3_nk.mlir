// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W^T with W stored N x K
// (14336 x 4096), f32 activations and results (lowp-bench,
// docs/Benchmarks.md), through lowp.matmul's transpose_rhs.
// Per-group format choice (BitMoD), which only lowp compiles: each block
// of 32 values along K is E2M1, MX INT4 (1.2 fixed point) or E3M0 by its
// 2-bit selector, with one E8M0 scale; codes packed two per byte along K,
// selectors four per byte along each row of the scales.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_choice3_nk_weights = tensor<14336x4096xui4,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor,
                       choices = [f4E2M1FN, i4, !lowp.float<e3m0, finite>]>>

func.func @gemv_choice3_nk(%x: tensor<1x4096xf32>, %w: !gemv_choice3_nk_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs}
      : tensor<1x4096xf32>, !gemv_choice3_nk_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
