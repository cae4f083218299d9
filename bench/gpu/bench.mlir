// The GPU measurements of docs/GPU.md: a 4-bit decode GEMV (1 x 4096 x
// 14336, MXFP4 weights in nn.Linear's N x K layout) and an FP8 GEMM
// (4096^3, E4M3 x E4M3). benchmarks/gpu/run.py times them against torch.
func.func @gemv_mxfp4(%x: tensor<1x4096xf32>, %w: tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x14336xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<1x4096xf32>, tensor<14336x4096xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x14336xf32>
  return %y : tensor<1x14336xf32>
}
func.func @gemm_fp8(%a: tensor<4096x4096xf8E4M3FN>, %b: tensor<4096x4096xf8E4M3FN>) -> tensor<4096x4096xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<4096x4096xf8E4M3FN>, tensor<4096x4096xf8E4M3FN> -> tensor<4096x4096xf32>
  return %y : tensor<4096x4096xf32>
}
