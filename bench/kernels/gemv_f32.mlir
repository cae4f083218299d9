// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// f32 weights: the same data and work as OpenBLAS's sgemv baseline.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_f32_weights = tensor<4096x14336xf32>

func.func @gemv_f32(%x: tensor<1x4096xf32>, %w: !gemv_f32_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_f32_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
