// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), W4A8 with
// integers (lowp-bench's GEMM table, docs/Benchmarks.md): int8 activations
// with one f32 scale per row (a block of all 4096 values) and int4-g128
// weights as in gemm_int4_g128_512. int8 values and (q - z) differences
// are bf16 values, so on a CPU with AVX512_BF16 the GEMM multiplies them
// with vdpbf16ps (exact products, f32 sums).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_int8_int4_g128_512_x = tensor<512x4096xi8,
    #lowp.block_scaled<block = [1, 4096], scale = f32, rule = absmax>>
!gemm_int8_int4_g128_512_weights = tensor<4096x14336xui4,
    #lowp.block_scaled<block = [128, 1], scale = f16, rule = minmax, zero_point = ui4>>

func.func @gemm_int8_int4_g128_512(%x: !gemm_int8_int4_g128_512_x,
    %w: !gemm_int8_int4_g128_512_weights) -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : !gemm_int8_int4_g128_512_x, !gemm_int8_int4_g128_512_weights
      -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
