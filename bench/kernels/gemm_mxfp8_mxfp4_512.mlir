// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), W4A8 (lowp-bench's
// GEMM table, docs/Benchmarks.md): MXFP8 activations (E4M3 elements, one
// E8M0 scale per 32 values of a row, as an MX quantize of the previous
// layer's output writes them) and MXFP4 weights as in gemm_mxfp4_512.
// Every value of either operand's elements is a bf16 value, so on a CPU
// with AVX512_BF16 the GEMM multiplies them with vdpbf16ps.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_mxfp8_mxfp4_512_x = tensor<512x4096xf8E4M3FN,
    #lowp.block_scaled<block = [1, 32], scale = f8E8M0FNU, rule = floor>>
!gemm_mxfp8_mxfp4_512_weights = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_mxfp8_mxfp4_512(%x: !gemm_mxfp8_mxfp4_512_x,
    %w: !gemm_mxfp8_mxfp4_512_weights) -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : !gemm_mxfp8_mxfp4_512_x, !gemm_mxfp8_mxfp4_512_weights
      -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
