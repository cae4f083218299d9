// GEMM at a small batch, y (8 x 14336) = x (8 x 4096) W (4096 x 14336), with
// f32 activations and results (lowp-bench's GEMM table, docs/Benchmarks.md):
// a batched decode of 8 tokens through one of Llama-3-8B's MLP projections.
// Each weight is used 8 times, so the call is still mostly memory bound; the
// table compares it with OpenBLAS sgemm on the same shape and with 8 calls
// of gemv_mxfp4 (M = 1) on the same weights.
// MXFP4 weights (OCP MX v1.0), as gemv_mxfp4: E2M1 elements, packed two
// per byte, and one E8M0 scale per 32 values along K (the floor rule).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_mxfp4_m8_weights = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_mxfp4_m8(%x: tensor<8x4096xf32>, %w: !gemm_mxfp4_m8_weights)
    -> tensor<8x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<8x4096xf32>, !gemm_mxfp4_m8_weights -> tensor<8x14336xf32>
  return %y : tensor<8x14336xf32>
}
