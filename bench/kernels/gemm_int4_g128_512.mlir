// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench's GEMM table, docs/Benchmarks.md):
// compute bound, so OpenBLAS's f32 sgemm on the same shape is the
// reference.
// int4 per group (GPTQ/AWQ), as gemv_int4_g128: ui4 codes q, and per 128
// values along K an f16 scale s and a ui4 zero point z; w = (q - z) * s.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_int4_g128_512_weights = tensor<4096x14336xui4,
    #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>

func.func @gemm_int4_g128_512(%x: tensor<512x4096xf32>,
    %w: !gemm_int4_g128_512_weights)
    -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x4096xf32>, !gemm_int4_g128_512_weights
      -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
