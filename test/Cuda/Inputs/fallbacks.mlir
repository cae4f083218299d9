// Matmuls no kernel covers (FP6 weights, K x N weights, f32 x f32) compile
// through convert-lowp-to-linalg's loops mapped onto threads, with device
// temporaries: correct, not fast. A bf16 result takes the kernel and a
// conversion of its f32 result.
func.func @mxfp6(%x: tensor<2x64xf32>, %w: tensor<32x64xf6E2M3FN, #lowp.block_scaled<mx>>) -> tensor<2x32xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<2x64xf32>, tensor<32x64xf6E2M3FN, #lowp.block_scaled<mx>> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
func.func @kxn(%x: tensor<2x64xf32>, %w: tensor<64x32xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>>) -> tensor<2x32xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<2x64xf32>, tensor<64x32xf4E2M1FN, #lowp.block_scaled<block = [32, 1], scale = f8E8M0FNU, rule = floor>> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
func.func @f32mm(%x: tensor<8x64xf32>, %w: tensor<64x16xf32>) -> tensor<8x16xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32} : tensor<8x64xf32>, tensor<64x16xf32> -> tensor<8x16xf32>
  return %y : tensor<8x16xf32>
}
func.func @to_bf16(%x: tensor<2x64xf32>, %w: tensor<32x64xf8E4M3FN>) -> tensor<2x32xbf16> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<2x64xf32>, tensor<32x64xf8E4M3FN> -> tensor<2x32xbf16>
  return %y : tensor<2x32xbf16>
}
