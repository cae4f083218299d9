// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// NF4 weights (QLoRA): 4-bit codes into the 16-value NormalFloat table,
// one f32 absmax scale per 64 values along K (bitsandbytes' block size).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_nf4_weights = tensor<4096x14336x!lowp.codebook<nf4>,
    #lowp.block_scaled<block = [64, 1], scale = f32, rule = absmax>>

func.func @gemv_nf4(%x: tensor<1x4096xf32>, %w: !gemv_nf4_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_nf4_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
