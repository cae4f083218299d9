// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// MXFP8 E4M3 weights: one byte per element, one E8M0 scale per 32 values
// along K.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_mxfp8_weights = tensor<4096x14336xf8E4M3FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemv_mxfp8(%x: tensor<1x4096xf32>, %w: !gemv_mxfp8_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_mxfp8_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
