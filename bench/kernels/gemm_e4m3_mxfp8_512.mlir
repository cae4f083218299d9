// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), W8A8 (lowp-bench's
// GEMM table, docs/Benchmarks.md): FP8 E4M3 activations (a per-tensor
// scale, if any, is a multiply of y that lowp-propagate-scales moves to
// the result) and MXFP8 weights (E4M3 elements, one E8M0 scale per 32
// values along K). E4M3 values are bf16 values, so on a CPU with
// AVX512_BF16 the GEMM multiplies them with vdpbf16ps.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_e4m3_mxfp8_512_weights = tensor<4096x14336xf8E4M3FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_e4m3_mxfp8_512(%x: tensor<512x4096xf8E4M3FN>,
    %w: !gemm_e4m3_mxfp8_512_weights) -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x4096xf8E4M3FN>, !gemm_e4m3_mxfp8_512_weights
      -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
