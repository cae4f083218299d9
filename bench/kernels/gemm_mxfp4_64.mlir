// GEMM, y (64 x 4096) = x (64 x 4096) W (4096 x 4096), with f32 activations
// and results (lowp-bench's GEMM table, docs/Benchmarks.md): compute
// bound, so OpenBLAS's f32 sgemm on the same shape is the reference.
// MXFP4 weights (OCP MX v1.0), as gemv_mxfp4: E2M1 elements, packed two
// per byte, and one E8M0 scale per 32 values along K (the floor rule).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_mxfp4_64_weights = tensor<4096x4096xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_mxfp4_64(%x: tensor<64x4096xf32>, %w: !gemm_mxfp4_64_weights)
    -> tensor<64x4096xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<64x4096xf32>, !gemm_mxfp4_64_weights -> tensor<64x4096xf32>
  return %y : tensor<64x4096xf32>
}
