// GEMV at batch 1, y (1 x 14336) = x (1 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench, docs/Benchmarks.md).
// int4 per group (GPTQ/AWQ): ui4 codes q, and per 128 values along K an
// f16 scale s and a ui4 zero point z; w = (q - z) * s.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemv_int4_g128_weights = tensor<4096x14336xui4,
    #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>

func.func @gemv_int4_g128(%x: tensor<1x4096xf32>, %w: !gemv_int4_g128_weights)
    -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<1x4096xf32>, !gemv_int4_g128_weights -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
