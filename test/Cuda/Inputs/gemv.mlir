// Decode (GEMV) kernels: f32 activations times N x K weights of 4- and
// 8-bit codes in the presets' encodings, decoded through a table.
func.func @mxfp4(%x: tensor<1x512xf32>, %w: tensor<96x512xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<1x96xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<1x512xf32>, tensor<96x512xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<1x96xf32>
  return %y : tensor<1x96xf32>
}
func.func @nvfp4(%x: tensor<3x256xf32>, %w: tensor<40x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<3x40xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<3x256xf32>, tensor<40x256xf4E2M1FN, #lowp.block_scaled<nvfp4>> -> tensor<3x40xf32>
  return %y : tensor<3x40xf32>
}
func.func @int4_g128(%x: tensor<12x256xf32>, %w: tensor<64x256xui4, #lowp.block_scaled<int4_g128>>) -> tensor<12x64xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<12x256xf32>, tensor<64x256xui4, #lowp.block_scaled<int4_g128>> -> tensor<12x64xf32>
  return %y : tensor<12x64xf32>
}
func.func @nf4(%x: tensor<2x128xf32>, %w: tensor<32x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [1, 64], scale = f32, rule = absmax>>) -> tensor<2x32xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<2x128xf32>, tensor<32x128x!lowp.codebook<nf4>, #lowp.block_scaled<block = [1, 64], scale = f32, rule = absmax>> -> tensor<2x32xf32>
  return %y : tensor<2x32xf32>
}
func.func @e4m3_plain(%x: tensor<1x64xf32>, %w: tensor<16x64xf8E4M3FN>) -> tensor<1x16xf32> {
  %y = lowp.matmul %x, %w {accumulator = f32, transpose_rhs} : tensor<1x64xf32>, tensor<16x64xf8E4M3FN> -> tensor<1x16xf32>
  return %y : tensor<1x16xf32>
}
