// GEMM, y (64 x 4096) = x (64 x 4096) W (4096 x 4096), W4A8 (lowp-bench's
// GEMM table, docs/Benchmarks.md): MXFP8 activations (E4M3 elements, one
// E8M0 scale per 32 values of a row, as an MX quantize of the previous
// layer's output writes them) and MXFP4 weights as in gemm_mxfp4_64.
// Every value of either operand's elements is a bf16 value, so on a CPU
// with AVX512_BF16 the GEMM multiplies them with vdpbf16ps.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_mxfp8_mxfp4_64_x = tensor<64x4096xf8E4M3FN,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
!gemm_mxfp8_mxfp4_64_weights = tensor<4096x4096xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_mxfp8_mxfp4_64(%x: !gemm_mxfp8_mxfp4_64_x,
    %w: !gemm_mxfp8_mxfp4_64_weights) -> tensor<64x4096xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : !gemm_mxfp8_mxfp4_64_x, !gemm_mxfp8_mxfp4_64_weights
      -> tensor<64x4096xf32>
  return %y : tensor<64x4096xf32>
}
