// Tensor-core kernels: FP8 x FP8 (plain and MX block-scaled, E4M3 with
// E5M2), f16 activations times an MXFP4 weight, bf16 x bf16. Sizes that are
// not multiples of the tiles check the guarded edges.
func.func @fp8(%a: tensor<128x256xf8E4M3FN>, %b: tensor<192x256xf8E4M3FN>) -> tensor<128x192xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<128x256xf8E4M3FN>, tensor<192x256xf8E4M3FN> -> tensor<128x192xf32>
  return %y : tensor<128x192xf32>
}
func.func @mxfp8(%a: tensor<100x256xf8E4M3FN, #lowp.block_scaled<mx>>, %b: tensor<72x256xf8E5M2, #lowp.block_scaled<mx>>) -> tensor<100x72xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<100x256xf8E4M3FN, #lowp.block_scaled<mx>>, tensor<72x256xf8E5M2, #lowp.block_scaled<mx>> -> tensor<100x72xf32>
  return %y : tensor<100x72xf32>
}
func.func @f16_mxfp4(%a: tensor<64x128xf16>, %b: tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<64x64xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<64x128xf16>, tensor<64x128xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<64x64xf32>
  return %y : tensor<64x64xf32>
}
func.func @bf16(%a: tensor<32x64xbf16>, %b: tensor<48x64xbf16>) -> tensor<32x48xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<32x64xbf16>, tensor<48x64xbf16> -> tensor<32x48xf32>
  return %y : tensor<32x48xf32>
}
// FP4 x FP4: kind::mxf4nvf4 on sm_100a (scale_vec::2X for MX's E8M0 scales
// of 32, 4X for NVFP4's E4M3 scales of 16), f16 fragments elsewhere.
func.func @mxfp4_mxfp4(%a: tensor<128x256xf4E2M1FN, #lowp.block_scaled<mx>>, %b: tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>>) -> tensor<128x64xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<128x256xf4E2M1FN, #lowp.block_scaled<mx>>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<mx>> -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}
func.func @nvfp4_nvfp4(%a: tensor<128x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>, %b: tensor<64x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>) -> tensor<128x64xf32> {
  %y = lowp.matmul %a, %b {accumulator = f32, transpose_rhs} : tensor<128x256xf4E2M1FN, #lowp.block_scaled<nvfp4>>, tensor<64x256xf4E2M1FN, #lowp.block_scaled<nvfp4>> -> tensor<128x64xf32>
  return %y : tensor<128x64xf32>
}
