// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench's GEMM table, docs/Benchmarks.md):
// compute bound, so OpenBLAS's f32 sgemm on the same shape is the
// reference.
// MXFP4 weights (OCP MX v1.0), as gemv_mxfp4: E2M1 elements, packed two
// per byte, and one E8M0 scale per 32 values along K (the floor rule).
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_mxfp4_512_weights = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>

func.func @gemm_mxfp4_512(%x: tensor<512x4096xf32>, %w: !gemm_mxfp4_512_weights)
    -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x4096xf32>, !gemm_mxfp4_512_weights -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
