// GEMM, y (512 x 14336) = x (512 x 4096) W (4096 x 14336), with f32
// activations and results (lowp-bench's GEMM table, docs/Benchmarks.md):
// compute bound, so OpenBLAS's f32 sgemm on the same shape is the
// reference.
// NVFP4 weights, as gemv_nvfp4: E2M1 elements, one E4M3 scale per 16
// values along K, and one f32 tensor scale.
// (scripts/bench.sh concatenates the kernels: names here are unique.)
!gemm_nvfp4_512_weights = tensor<4096x14336xf4E2M1FN,
    #lowp.block_scaled<block = [16, 1], scale = f8E4M3FN, rule = nvfp4, tensor_scale = f32>>

func.func @gemm_nvfp4_512(%x: tensor<512x4096xf32>, %w: !gemm_nvfp4_512_weights)
    -> tensor<512x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32}
      : tensor<512x4096xf32>, !gemm_nvfp4_512_weights -> tensor<512x14336xf32>
  return %y : tensor<512x14336xf32>
}
